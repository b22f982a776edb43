"""The short link an SMS carries: /m/{code} → the teacher's self-service page."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Redirect

from training import keys
from training.core.links import make_link_token
from training.errors import NotFound
from training.sms.links import read_short_code
from training.web.urls import path_for


@get("/m/{code:str}", name="sms_short_link", include_in_schema=False)
async def short_link(code: FromPath[str]) -> Redirect:
    key = keys.current().teacher_link
    enrollment_id = read_short_code(key, code)
    if enrollment_id is None:
        raise NotFound()
    return Redirect(
        path=path_for("enrollment_status", token=make_link_token(key, enrollment_id)), status_code=303
    )


route_handlers: list[Any] = [short_link]

"""Site-wide pages: home, health check, language switch."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training import db, i18n
from training.web.middleware import LANGUAGE_COOKIE
from training.web.urls import path_for

log = logging.getLogger("training.web")


@get("/", name="home", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    return Template(template_name="home.html", context={})


@get(
    "/healthz",
    name="healthz",
    tags=["system"],
    summary="Liveness: the database answers and can write (503 with the reason when not)",
)
async def healthz() -> Response[dict[str, Any]]:
    try:
        await db.fetch("SELECT 1 AS ok")
    except Exception as exc:  # any database failure means "not ready"
        return Response({"status": "error", "database": type(exc).__name__}, status_code=503)
    try:
        await db.write_probe()
    except Exception as exc:  # reads work but writes do not: a full disk, a read-only database
        log.warning("health check: the database cannot write: %s: %s", type(exc).__name__, exc)
        return Response(
            {"status": "error", "database": "cannot_write", "reason": type(exc).__name__}, status_code=503
        )
    return Response({"status": "ok", "database": "ok"})


@get("/lang/{code:str}", name="set_language", include_in_schema=False)
async def set_language(code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
    target = next if next.startswith("/") and not next.startswith("//") else path_for("home")
    response = Redirect(path=target)
    if code in i18n.LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


route_handlers = [home, healthz, set_language]

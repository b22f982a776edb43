"""Print runs on the web: start one from the session's certificate page, poll its progress, download the files."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import File, Redirect

from training.certificates import printing
from training.config import Settings
from training.errors import NotFound
from training.programmes.sessions import get_session
from training.web.guards import organiser_only
from training.web.urls import path_for


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]  # type: ignore[no-any-return]


@post(
    "/admin/certificates/sessions/{session_id:int}/print",
    name="certificates_print",
    guards=[organiser_only],
    include_in_schema=False,
)
async def print_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Redirect:
    await get_session(session_id)  # 404 for an unknown session
    if await printing.printable(
        session_id
    ):  # no valid certificate, nothing to print (the button is disabled)
        printing.start(session_id, _settings(request))
    return Redirect(
        path=path_for("certificates_session", session_id=session_id, fragment="print"), status_code=303
    )


async def _print_file(request: Request[Any, Any, Any], session_id: int, kind: str) -> File:
    await get_session(session_id)
    name = printing.PDF_NAME if kind == "pdf" else printing.ZIP_NAME
    path = printing.print_folder(_settings(request), session_id) / name
    if not path.exists():
        raise NotFound()
    return File(
        path=path,
        media_type="application/pdf" if kind == "pdf" else "application/zip",
        filename=f"结业证书-{session_id}.{kind}",
        content_disposition_type="attachment",
    )


@get(
    "/admin/certificates/sessions/{session_id:int}/print-run.pdf",
    name="certificates_print_pdf",
    guards=[organiser_only],
    include_in_schema=False,
)
async def print_pdf(request: Request[Any, Any, Any], session_id: FromPath[int]) -> File:
    return await _print_file(request, session_id, "pdf")


@get(
    "/admin/certificates/sessions/{session_id:int}/print-run.zip",
    name="certificates_print_zip",
    guards=[organiser_only],
    include_in_schema=False,
)
async def print_zip(request: Request[Any, Any, Any], session_id: FromPath[int]) -> File:
    return await _print_file(request, session_id, "zip")


route_handlers: list[Any] = [print_submit, print_pdf, print_zip]

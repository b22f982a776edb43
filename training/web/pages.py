"""Site-wide pages: home, health check, language switch."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training import db, i18n
from training.web.middleware import LANGUAGE_COOKIE


@get("/", name="home", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    return Template(template_name="home.html", context={})


@get("/healthz", name="healthz", tags=["system"], summary="Liveness and database reachability")
async def healthz() -> Response[dict[str, Any]]:
    try:
        await db.raw("SELECT 1 AS ok")
    except Exception as exc:  # any database failure means "not ready"
        return Response({"status": "error", "database": type(exc).__name__}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


@get("/lang/{code:str}", name="set_language", include_in_schema=False)
async def set_language(code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = Redirect(path=target)
    if code in i18n.LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


route_handlers = [home, healthz, set_language]

"""Staff log-in and log-out."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from training.accounts import service, throttle
from training.accounts.states import Role
from training.accounts.throttle import LoginDelayed
from training.audit.writer import record
from training.errors import RateLimited, ValidationFailed
from training.web.context import client_ip, principal_of
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.middleware import SESSION_COOKIE
from training.web.nav import NavItem
from training.web.urls import path_for

# Where each role lands after logging in: a page made for its work (tests/test_landing_browser.py).
ROLE_HOME: dict[str, str] = {
    Role.ORGANISER: "admin_home",
    Role.COORDINATOR: "enrollment_admin",
    Role.STAFF: "checkin_scan",
    Role.HOST: "hosting_home",
}  # route names


def _safe_next(target: str | None, role: str) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not target.startswith("/login"):
        return target
    return path_for(ROLE_HOME.get(role, "home"))


@get("/login", name="login", include_in_schema=False)
async def login_page(request: Request[Any, Any, Any], next: FromQuery[str] = "") -> Template | Redirect:
    principal = principal_of(request)
    if principal is not None:
        return Redirect(path=_safe_next(next, principal.role))
    return Template(template_name="accounts/login.html", context={"form": FormState(values={"next": next})})


@post("/login", name="login_submit", include_in_schema=False)
async def login_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    username = form.text("username", required=True, max_length=64)
    password = form.values.get("password", "")
    if not password:
        form.error("password", "required")
    if form.ok:
        try:
            token, principal = await service.log_in(username, password, client_ip(request))
        except ValidationFailed as exc:
            form.errors.update(exc.fields)
        except LoginDelayed as exc:
            form.error("password", "login_delayed", seconds=exc.retry_after)
        except RateLimited:
            form.error("password", "rate_limited")
        else:
            response = Redirect(path=_safe_next(form.values.get("next"), principal.role))
            settings = request.app.state["settings"]
            response.set_cookie(
                SESSION_COOKIE,
                token,
                httponly=True,
                samesite="lax",
                secure=settings.base_url.startswith("https://"),
                max_age=int(service.SESSION_LIFETIME.total_seconds()),
            )
            return response
    form.values.pop("password", None)  # never echo a password back
    throttled = form.errors.get("password") in ("rate_limited", "login_delayed")
    headers = {}
    if form.errors.get("password") == "login_delayed":
        headers["retry-after"] = str(form.error_params["password"]["seconds"])
    return Template(
        template_name="accounts/login.html",
        context={"form": form},
        status_code=429 if throttled else 400,
        headers=headers,
    )


@post("/logout", name="logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await service.log_out(token)
    response = Redirect(path=path_for("login"))
    response.delete_cookie(SESSION_COOKIE)
    return response


@get("/admin/login-blocks", name="login_blocks", guards=[organiser_only], include_in_schema=False)
async def login_blocks_page(done: FromQuery[str] = "") -> Template:
    """Pairs held back after wrong passwords (training/accounts/throttle.py), with a button to lift each user's."""
    return Template(
        template_name="accounts/login_blocks.html",
        context={"blocks": await throttle.blocks(), "done": done[:64]},
    )


@post("/admin/login-blocks/unblock", name="login_unblock", guards=[organiser_only], include_in_schema=False)
async def login_unblock(request: Request[Any, Any, Any]) -> Redirect:
    form = await read_form(request)
    username = form.text("username", required=True, max_length=64).lower()
    if form.ok:
        cleared = await throttle.unblock(username)
        await record(current_principal(request), "unblock_login", "staff_user", username, {"pairs": cleared})
    return Redirect(path=path_for("login_blocks", query={"done": username}))


route_handlers = [login_page, login_submit, logout, login_blocks_page, login_unblock]
nav_items: list[NavItem] = []

"""Accounts on the web: organisers create coordinators, on-site staff and other organisers, reset passwords,
deactivate and reactivate (the page shows the sections other packages add: accounts/sections.py); every staff member manages their personal API
tokens. Everything here is audited by the services it calls."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training import db
from training.accounts import sections, service, tokens
from training.accounts.states import Role
from training.accounts.tables import ROLES
from training.errors import Conflict, DomainError, ValidationFailed
from training.i18n import N_, gettext
from training.people.tables import County
from training.rendering.labels import choices, label
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, logged_in, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

Req = Request[Any, Any, Any]


async def _county_options() -> list[tuple[str, str]]:
    rows = await County.select(County.id, County.name).where(County.aided.eq(True)).order_by(County.code)
    return [(str(r["id"]), r["name"]) for r in rows]


async def _host_city_options() -> list[str]:
    """Host cities already named by sessions or host schools (suggested in the form; any city may be typed).
    Read by table name: accounts does not import the packages above it."""
    rows = await db.fetch(
        'SELECT DISTINCT "host_city" AS city FROM "training_session" WHERE "host_city" <> {} ORDER BY 1', ""
    )
    return [str(r["city"]) for r in rows]


async def _accounts_page(form: FormState, status: int = 200, done: str = "") -> Template:
    return Template(
        template_name="accounts/accounts.html",
        context={
            "users": await service.list_users(),
            "form": form,
            "role_options": choices("role"),
            "county_options": await _county_options(),
            "host_city_options": await _host_city_options(),
            "done": done,
        },
        status_code=status,
    )


@get("/admin/accounts", name="accounts", guards=[organiser_only], include_in_schema=False)
async def accounts_page(done: FromQuery[str] = "") -> Template:
    return await _accounts_page(FormState(values={"role": Role.STAFF}), done=done)


@post("/admin/accounts", name="account_create", guards=[organiser_only], include_in_schema=False)
async def account_create(request: Req) -> Template | Redirect:
    form = await read_form(request)
    username = form.text("username", required=True, max_length=64)
    display_name = form.text("display_name", max_length=64)
    role = form.choice("role", ROLES)
    county_id = form.integer("county", low=1, high=2**31 - 1) if role == Role.COORDINATOR else None
    host_city = form.text("host_city", max_length=64) if role == Role.HOST else ""
    password = form.values.get("password", "")
    if form.ok:
        try:
            user_id = await service.create_user(
                username,
                password,
                role,
                display_name,
                county_id,
                actor=current_principal(request),
                host_city=host_city,
            )
        except (ValidationFailed, Conflict) as exc:
            for name, code in (exc.fields or {"username": exc.code}).items():
                form.error(name, code)
        else:
            return Redirect(path=path_for("account_detail", user_id=user_id, query={"done": "created"}))
    form.values.pop("password", None)
    return await _accounts_page(form, 400)


async def _account_page(
    request: Req, user_id: int, *, done: str = "", form: FormState | None = None, status: int = 200
) -> Template:
    user = await service.get_user(user_id)
    return Template(
        template_name="accounts/account.html",
        context={
            "user": user,
            "me": current_principal(request),
            "done": done,
            "form": form or FormState(),
            "sections": await sections.PAGE.shown(user),
            "tokens": await tokens.list_tokens(user_id),
        },
        status_code=status,
    )


@get("/admin/accounts/{user_id:int}", name="account_detail", guards=[organiser_only], include_in_schema=False)
async def account_detail(request: Req, user_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _account_page(request, user_id, done=done)


@post(
    "/admin/accounts/{user_id:int}/password",
    name="account_password",
    guards=[organiser_only],
    include_in_schema=False,
)
async def account_password(request: Req, user_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    password = form.values.pop("password", "")
    if not password:
        form.error("password", "required")
    else:
        try:
            await service.reset_password(current_principal(request), user_id, password)
        except ValidationFailed as exc:
            form.errors.update(exc.fields)
        else:
            return Redirect(path=path_for("account_detail", user_id=user_id, query={"done": "password"}))
    return await _account_page(request, user_id, form=form, status=400)


@post(
    "/admin/accounts/{user_id:int}/active",
    name="account_active",
    guards=[organiser_only],
    include_in_schema=False,
)
async def account_active(request: Req, user_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    active = form.values.get("active") == "1"
    user = await service.get_user(user_id)
    if not active and not is_confirmed(form.values):
        live = [t for t in await tokens.list_tokens(user_id) if t["revoked_at"] is None]
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Deactivate “{name}”?")).format(
                    name=user["display_name"] or user["username"]
                ),
                action=path_for("account_active", user_id=user_id),
                button=gettext(N_("Deactivate the account")),
                back=path_for("account_detail", user_id=user_id),
                facts=[
                    gettext(N_("{role}: {name} can no longer log in; open sessions end at once.")).format(
                        role=label("role", user["role"]), name=user["username"]
                    ),
                    gettext(N_("Its {n} API tokens stop working.")).format(n=len(live)),
                ],
                hidden={"active": "0"},
                undo=gettext(N_("You can reactivate the account later; its password stays as it was.")),
            )
        )
    try:
        await service.set_active(current_principal(request), user_id, active)
    except DomainError as exc:
        return await _account_page(request, user_id, done=exc.code, status=exc.status)
    done = "reactivated" if active else "deactivated"
    return Redirect(path=path_for("account_detail", user_id=user_id, query={"done": done}))


# --- personal API tokens ---------------------------------------------------------------------------------------


async def _tokens_page(request: Req, form: FormState, *, secret: str = "", status: int = 200) -> Template:
    me = current_principal(request)
    return Template(
        template_name="accounts/tokens.html",
        context={
            "tokens": await tokens.list_tokens(me.user_id) if me.user_id is not None else [],
            "form": form,
            "scopes": [(code, gettext(text)) for code, text in tokens.SCOPES.items()],
            "secret": secret,
        },
        status_code=status,
    )


@get("/account/tokens", name="api_tokens", guards=[logged_in], include_in_schema=False)
async def tokens_page(request: Req) -> Template:
    return await _tokens_page(request, FormState(values={"scopes": "read"}))


@post("/account/tokens", name="api_token_create", guards=[logged_in], include_in_schema=False)
async def token_create(request: Req) -> Template:
    raw = await request.form()
    form = await read_form(request)
    scopes = [v for v in raw.getall("scopes", []) if isinstance(v, str)]
    try:
        secret, _ = await tokens.create_token(current_principal(request), form.values.get("name", ""), scopes)
    except ValidationFailed as exc:
        form.errors.update(exc.fields)
        return await _tokens_page(request, form, status=400)
    # the secret is in this one answer only (never stored, never shown again)
    return await _tokens_page(request, FormState(), secret=secret)


@post(
    "/account/tokens/{token_id:int}/revoke",
    name="api_token_revoke",
    guards=[logged_in],
    include_in_schema=False,
)
async def token_revoke(request: Req, token_id: FromPath[int]) -> Redirect:
    await tokens.revoke_token(current_principal(request), token_id)
    return Redirect(path=path_for("api_tokens"))


route_handlers: list[Any] = [
    accounts_page,
    account_create,
    account_detail,
    account_password,
    account_active,
    tokens_page,
    token_create,
    token_revoke,
]
nav_items = [
    NavItem(N_("Accounts"), "accounts", (Role.ORGANISER,), order=85),
    NavItem(N_("API tokens"), "api_tokens", (Role.ORGANISER, Role.COORDINATOR), order=95),
]

"""The sessions an on-site staff account scans for: a section of the account's page (accounts/sections.py,
registered by training/wiring.py) and the form it posts. Assigning is audited by `assignments.set_assignments`."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect

from training.accounts import service
from training.accounts.sections import AccountSection
from training.accounts.states import Role
from training.checkin import assignments
from training.errors import Conflict
from training.i18n import N_, register_messages
from training.web.guards import current_principal, organiser_only
from training.web.urls import path_for

register_messages({"only_staff_are_assigned": N_("Only on-site staff accounts are assigned to sessions.")})


async def _assignments_section(user: dict[str, Any]) -> dict[str, Any] | None:
    if user["role"] != Role.STAFF:
        return None
    return {
        "sessions": await assignments.sessions_for_choice(),
        "assigned": await assignments.assigned_sessions(int(user["id"])),
    }


ACCOUNT_SECTION = AccountSection(
    "checkin_sessions", 10, "checkin/_account_sessions.html", _assignments_section
)


@post(
    "/admin/accounts/{user_id:int}/sessions",
    name="account_sessions",
    guards=[organiser_only],
    include_in_schema=False,
)
async def account_sessions(request: Request[Any, Any, Any], user_id: FromPath[int]) -> Redirect:
    user = await service.get_user(user_id)
    if user["role"] != Role.STAFF:
        raise Conflict("only_staff_are_assigned")
    form = await request.form()
    chosen = {int(v) for v in form.getall("sessions", []) if isinstance(v, str) and v.isdigit()}
    await assignments.set_assignments(current_principal(request), user_id, chosen)
    return Redirect(path=path_for("account_detail", user_id=user_id, query={"done": "assigned"}))


route_handlers: list[Any] = [account_sessions]

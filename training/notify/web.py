"""Organisers set which reminders a session sends (/admin/sessions/{id}/reminders)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.audit.service import record as audit_record
from training.enrollment.web import base_url
from training.errors import NotFound
from training.i18n import N_, gettext
from training.notify import changes, reminders
from training.notify.schedule import SLOTS, windows
from training.programmes.tables import TrainingSession
from training.web.forms import read_form
from training.web.guards import current_principal, organiser_only

SLOT_LABELS = {
    "3d": N_("Three days before, 09:00: when and where"),
    "waiting": N_("Three days before, 09:00: still waiting (to the waiting list)"),
    "evening": N_("The evening before, 19:00: first session's time and room"),
    "morning": N_("The first morning, 06:30: first session's time and room"),
}


def slot_label(slot: str) -> str:
    return gettext(SLOT_LABELS[slot]) if slot in SLOT_LABELS else slot


async def _session(session_id: int) -> dict[str, Any]:
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    if session is None:
        raise NotFound()
    return session


@get(
    "/admin/sessions/{session_id:int}/reminders",
    name="notify_reminders",
    guards=[organiser_only],
    include_in_schema=False,
)
async def reminder_page(session_id: FromPath[int], saved: FromQuery[bool] = False) -> Template:
    session = await _session(session_id)
    block = await reminders.first_block(session_id)
    starts = block["starts_at"] if block and block["day"] == session["starts_on"] else None
    return Template(
        template_name="notify/reminders.html",
        context={
            "s": session,
            "tab": "reminders",
            "plan": await reminders.plan_of(session_id),
            "slots": SLOTS,
            "windows": windows(session["starts_on"], starts),
            "saved": saved,
            "reminder_slot_label": slot_label,
        },
    )


@post(
    "/admin/sessions/{session_id:int}/reminders",
    name="notify_reminders_save",
    guards=[organiser_only],
    include_in_schema=False,
)
async def reminder_save(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Redirect:
    await _session(session_id)
    form = await read_form(request)
    chosen = [slot for slot in SLOTS if form.values.get(f"slot_{slot}")]
    await reminders.save_plan(session_id, chosen)
    await audit_record(current_principal(request), "reminders", "session", session_id, {"slots": chosen})
    return Redirect(path=f"/admin/sessions/{session_id}/reminders?saved=true")


@get(
    "/admin/sessions/{session_id:int}/notices",
    name="notify_changes",
    guards=[organiser_only],
    include_in_schema=False,
)
async def change_page(
    request: Request[Any, Any, Any], session_id: FromPath[int], sent: FromQuery[int] = 0
) -> Template:
    session = await _session(session_id)
    notices = await changes.drafts(session_id)
    previews = [
        await changes.preview(int(n["id"]), base_url(request)) for n in notices if n["status"] == "draft"
    ]
    return Template(
        template_name="notify/changes.html",
        context={"s": session, "tab": "notices", "previews": previews, "history": notices, "sent": sent},
    )


@post(
    "/admin/sessions/{session_id:int}/notices/{notice_id:int}/send",
    name="notify_change_send",
    guards=[organiser_only],
    include_in_schema=False,
)
async def change_send(
    request: Request[Any, Any, Any], session_id: FromPath[int], notice_id: FromPath[int]
) -> Redirect:
    count = await changes.send(notice_id, base_url(request))
    await audit_record(
        current_principal(request),
        "change_notice",
        "session",
        session_id,
        {"notice": notice_id, "recipients": count},
    )
    return Redirect(path=f"/admin/sessions/{session_id}/notices?sent={count}")


@post(
    "/admin/sessions/{session_id:int}/notices/{notice_id:int}/dismiss",
    name="notify_change_dismiss",
    guards=[organiser_only],
    include_in_schema=False,
)
async def change_dismiss(
    request: Request[Any, Any, Any], session_id: FromPath[int], notice_id: FromPath[int]
) -> Redirect:
    await changes.dismiss(notice_id)
    await audit_record(
        current_principal(request), "change_notice_dismissed", "session", session_id, {"notice": notice_id}
    )
    return Redirect(path=f"/admin/sessions/{session_id}/notices")


route_handlers: list[Any] = [reminder_page, reminder_save, change_page, change_send, change_dismiss]

"""Organisers set which reminders a session sends (/admin/sessions/{id}/reminders)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.audit.writer import record as audit_record
from training.core.actor import Actor
from training.errors import ValidationFailed
from training.i18n import N_, gettext
from training.notify import broadcasts, changes, reminders
from training.notify.schedule import SLOTS, windows
from training.notify.states import BroadcastTarget, NoticeStatus, ReminderSlot
from training.people.tables import County
from training.programmes.sessions import Session, get_session
from training.programmes.tables import Block
from training.web.context import base_url
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only, organiser_or_coordinator
from training.web.nav import NavItem
from training.web.urls import path_for

SLOT_LABELS: dict[str, str] = {
    ReminderSlot.THREE_DAYS: N_("Three days before, 09:00: when and where"),
    ReminderSlot.WAITING: N_("Three days before, 09:00: still waiting (to the waiting list)"),
    ReminderSlot.EVENING: N_("The evening before, 19:00: first session's time and room"),
    ReminderSlot.MORNING: N_("The first morning, 06:30: first session's time and room"),
}


def slot_label(slot: str) -> str:
    return gettext(SLOT_LABELS[slot]) if slot in SLOT_LABELS else slot


@get(
    "/admin/sessions/{session_id:int}/reminders",
    name="notify_reminders",
    guards=[organiser_only],
    include_in_schema=False,
)
async def reminder_page(session_id: FromPath[int], saved: FromQuery[bool] = False) -> Template:
    session = await get_session(session_id)
    block = await reminders.first_block(session_id)
    starts = block["starts_at"] if block and block["day"] == session.starts_on else None
    return Template(
        template_name="notify/reminders.html",
        context={
            "s": session,
            "tab": "reminders",
            "plan": await reminders.plan_of(session_id),
            "slots": SLOTS,
            "windows": windows(session.starts_on, starts),
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
    await get_session(session_id)
    form = await read_form(request)
    chosen = [slot for slot in SLOTS if form.values.get(f"slot_{slot}")]
    await reminders.save_plan(session_id, chosen)
    await audit_record(current_principal(request), "reminders", "session", session_id, {"slots": chosen})
    return Redirect(path=path_for("notify_reminders", session_id=session_id, query={"saved": "true"}))


@get(
    "/admin/sessions/{session_id:int}/notices",
    name="notify_changes",
    guards=[organiser_only],
    include_in_schema=False,
)
async def change_page(
    request: Request[Any, Any, Any], session_id: FromPath[int], sent: FromQuery[int] = 0
) -> Template:
    session = await get_session(session_id)
    notices = await changes.drafts(session_id)
    previews = [
        await changes.preview(int(n["id"]), base_url(request))
        for n in notices
        if n["status"] == NoticeStatus.DRAFT
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
    return Redirect(path=path_for("notify_changes", session_id=session_id, query={"sent": count}))


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
    return Redirect(path=path_for("notify_changes", session_id=session_id))


async def _broadcast_context(session: Session, form: FormState, **extra: Any) -> dict[str, Any]:
    blocks = await reminders_blocks(session.id)
    return {
        "s": session,
        "tab": "broadcast",
        "form": form,
        "blocks": blocks,
        "targets": broadcasts.TARGETS,
        **extra,
    }


async def reminders_blocks(session_id: int) -> list[dict[str, Any]]:
    return list(
        await Block.select().where(Block.session == session_id).order_by(Block.day).order_by(Block.starts_at)
    )


@get(
    "/admin/sessions/{session_id:int}/broadcast",
    name="notify_broadcast",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def broadcast_page(session_id: FromPath[int], sent: FromQuery[int | None] = None) -> Template:
    session = await get_session(session_id)
    return Template(
        template_name="notify/broadcast.html",
        context=await _broadcast_context(session, FormState(), sent=sent),
    )


@post(
    "/admin/sessions/{session_id:int}/broadcast",
    name="notify_broadcast_post",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def broadcast_post(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template | Redirect:
    session = await get_session(session_id)
    form = await read_form(request)
    principal = current_principal(request)
    kind, text = form.values.get("target", ""), form.values.get("text", "")
    raw_block = form.values.get("block", "")
    raw_county = form.values.get("county", "")
    block_id = int(raw_block) if raw_block.isdigit() else None
    county_id = int(raw_county) if raw_county.isdigit() else None
    target = broadcasts.scoped(principal, broadcasts.Target(session_id, kind, county_id, block_id))
    errors = broadcasts.validate(kind, text, block_id)
    if errors:
        form.errors.update(errors)
        return Template(
            template_name="notify/broadcast.html",
            context=await _broadcast_context(session, form),
            status_code=422,
        )
    if form.values.get("action") == "send":
        count = await broadcasts.send(principal, session, target, text, base_url(request))
        return Redirect(path=path_for("notify_broadcast", session_id=session_id, query={"sent": count}))
    preview = await broadcasts.preview(session, target, text, base_url(request))
    return Template(
        template_name="notify/broadcast.html",
        context=await _broadcast_context(session, form, preview=preview),
    )


# --- a county across its sessions ---------------------------------------------------------------------------------


async def _counties(principal: Actor) -> list[tuple[str, str]]:
    """The counties the form offers: all for an organiser, her own for a coordinator."""
    query = County.select(County.id, County.name).order_by(County.code)
    if not principal.is_organiser:
        query = query.where(County.id == (principal.county_id or -1))
    return [(str(c["id"]), c["name"]) for c in await query]


def _county_page(
    counties: list[tuple[str, str]], form: FormState, status: int = 200, **extra: Any
) -> Template:
    return Template(
        template_name="notify/county_broadcast.html",
        context={"form": form, "counties": counties, **extra},
        status_code=status,
    )


@get(
    "/admin/broadcast",
    name="notify_county_broadcast",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def county_broadcast_page(
    request: Request[Any, Any, Any], sent: FromQuery[int | None] = None
) -> Template:
    return _county_page(await _counties(current_principal(request)), FormState(), sent=sent)


@post(
    "/admin/broadcast",
    name="notify_county_broadcast_post",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def county_broadcast_post(request: Request[Any, Any, Any]) -> Template | Redirect:
    principal = current_principal(request)
    form = await read_form(request)
    counties = await _counties(principal)
    raw_county, text = form.values.get("county", ""), form.values.get("text", "")
    try:
        county_id = broadcasts.county_of(principal, int(raw_county) if raw_county.isdigit() else None)
        errors = broadcasts.validate(BroadcastTarget.SESSION, text, None)
        if errors:
            raise ValidationFailed(errors)
    except ValidationFailed as exc:
        form.errors.update(exc.fields)
        return _county_page(counties, form, 422)
    names = dict(counties)
    if str(county_id) not in names:
        form.errors["county"] = "invalid_choice"
        return _county_page(counties, form, 422)
    name = names[str(county_id)]
    if form.values.get("action") == "send":
        count = await broadcasts.send_county(principal, county_id, name, text, base_url(request))
        return Redirect(path=path_for("notify_county_broadcast", query={"sent": count}))
    preview = await broadcasts.preview_county(county_id, name, text, base_url(request))
    return _county_page(counties, form, preview=preview)


nav_items = [
    NavItem(N_("Message to teachers"), "notify_county_broadcast", ("organiser", "coordinator"), order=35)
]

route_handlers: list[Any] = [
    reminder_page,
    reminder_save,
    change_page,
    change_send,
    change_dismiss,
    broadcast_page,
    broadcast_post,
    county_broadcast_page,
    county_broadcast_post,
]

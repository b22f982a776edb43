"""Change notices: when a block of a published session moves (day, time, room) or is cancelled, a draft notice
"old → new" waits for the organiser, who sees the message and how many teachers get it on which channel, then
sends it to every confirmed teacher (an essential message: every channel that works) or dismisses it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from training import db, i18n
from training.enrollment.mails import self_service_url
from training.errors import Conflict, NotFound
from training.i18n import N_, register_messages
from training.notify import service
from training.notify.channels import channels_for
from training.notify.texts import link_for, shape
from training.sms import state as sms_state

WATCHED = ("day", "starts_at", "ends_at", "room", "cancelled")
SUBJECT = N_("Timetable change: {title}")
BODY = N_("{name}, a change to {title}: {old} → {new}.")
CANCELLED = N_("cancelled")
DETAILS = N_("Your timetable:")
CHUNK = 200

register_messages({"notice_not_draft": N_("This notice has already been sent or dismissed.")})


def describe(block: dict[str, Any]) -> str:
    """`7月15日 08:00–11:30 报告厅` (or `… 已取消`)."""
    day, starts, ends = block["day"], block["starts_at"], block["ends_at"]
    text = f"{day.month}月{day.day}日 {starts.strftime('%H:%M')}–{ends.strftime('%H:%M')}"
    if block.get("room"):
        text += f" {block['room']}"
    if block.get("cancelled"):
        with i18n.language("zh_Hans"):
            text += " " + i18n._(CANCELLED)
    return text


async def block_changed(session: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> int | None:
    """Called in the edit's transaction: record (or fold into) a draft notice when what teachers attend changed."""
    if session.get("status") != "published" or all(before.get(k) == after.get(k) for k in WATCHED):
        return None
    subject = f"block:{before['id']}"
    old, new = describe(before), describe({**before, **after})
    drafts = await db.raw(
        'SELECT "id" FROM "change_notice" WHERE "session" = {} AND "subject" = {} AND "status" = {}',
        session["id"],
        subject,
        "draft",
    )
    if drafts:  # a second edit before sending: keep the first "old", show the latest "new"
        await db.raw('UPDATE "change_notice" SET "new_text" = {} WHERE "id" = {}', new, drafts[0]["id"])
        return int(drafts[0]["id"])
    return await db.insert(
        "change_notice",
        {"session": session["id"], "subject": subject, "old_text": old, "new_text": new, "status": "draft"},
    )


@dataclass(frozen=True)
class Preview:
    notice: dict[str, Any]
    sms_text: str
    email_text: str
    by_channel: dict[str, int]  # sms / email / none → teachers
    recipients: int


def _message(
    notice: dict[str, Any], session: dict[str, Any], name: str, base_url: str, enrollment_id: int
) -> service.Message:
    with i18n.language("zh_Hans"):
        body = i18n._(BODY, name=name, title=session["title"], old=notice["old_text"], new=notice["new_text"])
        subject = i18n._(SUBJECT, title=session["title"])
        details = i18n._(DETAILS)
    return service.Message(
        kind="change",
        subject=subject,
        email_text=f"{body}\n\n{details} {self_service_url(base_url, enrollment_id)}\n",
        sms_text=shape(body + details, link_for(base_url, enrollment_id)),
    )


async def _notice(notice_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    rows = await db.raw('SELECT * FROM "change_notice" WHERE "id" = {}', notice_id)
    if not rows:
        raise NotFound()
    notice = dict(rows[0])
    sessions = await db.raw('SELECT "id", "title" FROM "training_session" WHERE "id" = {}', notice["session"])
    return notice, dict(sessions[0])


async def drafts(session_id: int) -> list[dict[str, Any]]:
    return list(
        await db.raw(
            'SELECT * FROM "change_notice" WHERE "session" = {} ORDER BY "id" DESC LIMIT 50', session_id
        )
    )


async def preview(notice_id: int, base_url: str) -> Preview:
    notice, session = await _notice(notice_id)
    audience = await service.recipients('e."session" = {} AND e."status" = {}', session["id"], "confirmed")
    counts: Counter[str] = Counter()
    for r in audience:
        chosen = channels_for("change", r.contact, sms_state.enabled())
        for channel in chosen or ("none",):
            counts[channel] += 1
    sample = _message(
        notice,
        session,
        audience[0].name if audience else "王老师",
        base_url,
        audience[0].enrollment_id if audience else 0,
    )
    return Preview(notice, sample.sms_text, sample.email_text, dict(counts), len(audience))


async def send(notice_id: int, base_url: str) -> int:
    """Queue the notice to every confirmed teacher, once (dedupe per notice and enrollment); returns how many."""
    notice, session = await _notice(notice_id)
    if notice["status"] != "draft":
        raise Conflict("notice_not_draft")
    audience = await service.recipients('e."session" = {} AND e."status" = {}', session["id"], "confirmed")
    for start in range(0, len(audience), CHUNK):
        async with db.write_transaction():
            for r in audience[start : start + CHUNK]:
                message = _message(notice, session, r.name, base_url, r.enrollment_id)
                await service.send(r, message, dedupe_key=f"change:{notice_id}:{r.enrollment_id}")
    async with db.write_transaction():
        await db.raw(
            'UPDATE "change_notice" SET "status" = {}, "sent_at" = {}, "recipients" = {} WHERE "id" = {}',
            "sent",
            datetime.now(UTC),
            len(audience),
            notice_id,
        )
    return len(audience)


async def dismiss(notice_id: int) -> None:
    async with db.write_transaction():
        await db.raw(
            'UPDATE "change_notice" SET "status" = {} WHERE "id" = {} AND "status" = {}',
            "dismissed",
            notice_id,
            "draft",
        )

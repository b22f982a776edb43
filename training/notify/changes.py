"""Change notices: when a block of a published session moves (day, time, room) or is cancelled, or the session's
venue or dates change, or a session that has not ended is closed, a draft notice "old → new" waits for the
organiser, who sees the message and how many teachers get it on which channel, then sends it (an essential message:
every channel that works) or dismisses it. Block notices go to confirmed teachers; session notices also to the
waiting list, whose members may still be promoted into the changed (or cancelled) session."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from training import db, i18n
from training.core.links import self_service_url
from training.errors import Conflict, NotFound
from training.i18n import N_, register_messages
from training.notify import service
from training.notify.channels import channels_for
from training.notify.states import NoticeStatus
from training.notify.texts import link_for, shape
from training.programmes.states import SessionStatus
from training.sms import state as sms_state

WATCHED = ("day", "starts_at", "ends_at", "room", "cancelled")
SUBJECT = N_("Timetable change: {title}")
BODY = N_("{name}, a change to {title}: {old} → {new}.")
CANCELLED = N_("cancelled")
VENUE = N_("venue {venue}")
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


def describe_dates(starts_on: date, ends_on: date) -> str:
    """`7月15日–7月18日` (one day: `7月15日`)."""
    text = f"{starts_on.month}月{starts_on.day}日"
    if ends_on != starts_on:
        text += f"–{ends_on.month}月{ends_on.day}日"
    return text


def describe_venue(venue: str) -> str:
    with i18n.language("zh_Hans"):
        return i18n._(VENUE, venue=venue.strip() or "—")


# Who a notice is for, by what it is about ("block:<id>" or "session:<what>").
BLOCK_AUDIENCE = ("confirmed",)
SESSION_AUDIENCE = ("confirmed", "waitlisted")


def audience_statuses(subject: str) -> tuple[str, ...]:
    return SESSION_AUDIENCE if subject.startswith("session:") else BLOCK_AUDIENCE


async def block_changed(session: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> int | None:
    """Called in the edit's transaction: record (or fold into) a draft notice when what teachers attend changed."""
    if session.get("status") != SessionStatus.PUBLISHED or all(
        before.get(k) == after.get(k) for k in WATCHED
    ):
        return None
    return await _record(
        session["id"], f"block:{before['id']}", describe(before), describe({**before, **after})
    )


async def session_changed(before: dict[str, Any], after: dict[str, Any]) -> list[int | None]:
    """Called in the session edit's transaction: one draft for a new venue, one for new dates (published only)."""
    if before.get("status") != SessionStatus.PUBLISHED:
        return []
    found: list[int | None] = []
    if (before.get("venue") or "").strip() != (after.get("venue") or "").strip():
        found.append(
            await _record(
                before["id"],
                "session:venue",
                describe_venue(before["venue"] or ""),
                describe_venue(after["venue"]),
            )
        )
    if (before["starts_on"], before["ends_on"]) != (after["starts_on"], after["ends_on"]):
        found.append(
            await _record(
                before["id"],
                "session:dates",
                describe_dates(before["starts_on"], before["ends_on"]),
                describe_dates(after["starts_on"], after["ends_on"]),
            )
        )
    return found


async def session_closed(session: dict[str, Any], today: date) -> int | None:
    """Called in the close's transaction: closing a published session that has not ended cancels it for everyone
    enrolled, so a draft "dates venue → cancelled" waits. Closing after the last day is routine and says nothing."""
    if session.get("status") != SessionStatus.PUBLISHED or session["ends_on"] < today:
        return None
    old = f"{describe_dates(session['starts_on'], session['ends_on'])} {session.get('venue') or ''}".strip()
    with i18n.language("zh_Hans"):
        new = i18n._(CANCELLED)
    return await _record(session["id"], "session:closed", old, new)


async def session_reopened(session_id: int) -> None:
    """Reopening undoes a close made by mistake: its unsent cancellation notice goes too."""
    await db.fetch(
        'UPDATE "change_notice" SET "status" = {} WHERE "session" = {} AND "subject" = {} AND "status" = {}',
        NoticeStatus.DISMISSED,
        session_id,
        "session:closed",
        NoticeStatus.DRAFT,
    )


async def _record(session_id: int, subject: str, old: str, new: str) -> int | None:
    drafts = await db.fetch(
        'SELECT "id" FROM "change_notice" WHERE "session" = {} AND "subject" = {} AND "status" = {}',
        session_id,
        subject,
        NoticeStatus.DRAFT,
    )
    if drafts:  # a second edit before sending: keep the first "old", show the latest "new"
        await db.fetch('UPDATE "change_notice" SET "new_text" = {} WHERE "id" = {}', new, drafts[0]["id"])
        return int(drafts[0]["id"])
    return await db.insert(
        "change_notice",
        {
            "session": session_id,
            "subject": subject,
            "old_text": old,
            "new_text": new,
            "status": NoticeStatus.DRAFT,
        },
    )


@dataclass(frozen=True)
class Preview:
    notice: dict[str, Any]
    sms_text: str
    email_text: str
    by_channel: dict[str, int]  # sms / email / none → teachers
    recipients: int
    waiting: int = 0  # of the recipients, how many are on the waiting list


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
    rows = await db.fetch('SELECT * FROM "change_notice" WHERE "id" = {}', notice_id)
    if not rows:
        raise NotFound()
    notice = dict(rows[0])
    sessions = await db.fetch(
        'SELECT "id", "title" FROM "training_session" WHERE "id" = {}', notice["session"]
    )
    return notice, dict(sessions[0])


async def drafts(session_id: int) -> list[dict[str, Any]]:
    return list(
        await db.fetch(
            'SELECT * FROM "change_notice" WHERE "session" = {} ORDER BY "id" DESC LIMIT 50', session_id
        )
    )


async def _audience(notice: dict[str, Any]) -> list[service.Recipient]:
    statuses = audience_statuses(notice["subject"])
    marks = ", ".join("{}" for _ in statuses)
    return await service.recipients(
        f'e."session" = {{}} AND e."status" IN ({marks})', notice["session"], *statuses
    )


async def preview(notice_id: int, base_url: str) -> Preview:
    notice, session = await _notice(notice_id)
    audience = await _audience(notice)
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
    waiting = sum(1 for r in audience if r.status == "waitlisted")
    return Preview(notice, sample.sms_text, sample.email_text, dict(counts), len(audience), waiting)


async def send(notice_id: int, base_url: str) -> int:
    """Queue the notice to its audience, once (dedupe per notice and enrollment); returns how many."""
    notice, session = await _notice(notice_id)
    if notice["status"] != NoticeStatus.DRAFT:
        raise Conflict("notice_not_draft")
    audience = await _audience(notice)
    for start in range(0, len(audience), CHUNK):
        async with db.transaction():
            for r in audience[start : start + CHUNK]:
                message = _message(notice, session, r.name, base_url, r.enrollment_id)
                await service.send(r, message, dedupe_key=f"change:{notice_id}:{r.enrollment_id}")
    async with db.transaction():
        await db.fetch(
            'UPDATE "change_notice" SET "status" = {}, "sent_at" = {}, "recipients" = {} WHERE "id" = {}',
            NoticeStatus.SENT,
            datetime.now(UTC),
            len(audience),
            notice_id,
        )
    return len(audience)


async def dismiss(notice_id: int) -> None:
    async with db.transaction():
        await db.fetch(
            'UPDATE "change_notice" SET "status" = {} WHERE "id" = {} AND "status" = {}',
            NoticeStatus.DISMISSED,
            notice_id,
            NoticeStatus.DRAFT,
        )

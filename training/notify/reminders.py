"""Sending the reminders that are due (training/notify/schedule.py), each exactly once per teacher and slot.

Exactly once, with any number of workers and across restarts: a reminder is queued in the same transaction as its
row in `reminder_sent`, whose unique index (enrollment, slot) lets only one transaction insert it; the others'
`ON CONFLICT DO NOTHING` returns nothing and they queue nothing. Cancelled teachers are not selected (only
`confirmed`, or `waitlisted` for the "still waiting" notice, at the moment of sending).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from training import db, i18n
from training.core.clock import LOCAL_TZ
from training.core.links import self_service_url
from training.i18n import N_
from training.mail.states import MessageKind
from training.notify import service
from training.notify.schedule import AUDIENCE, due_slots, parse_slots
from training.notify.states import ReminderSlot
from training.notify.texts import dates_of, link_for, shape
from training.programmes.states import SessionStatus

log = logging.getLogger("training.notify")
CHUNK = 200  # recipients per transaction: short write locks, bounded memory

SUBJECTS: dict[str, str] = {
    ReminderSlot.THREE_DAYS: N_("In three days: {title}"),
    ReminderSlot.EVENING: N_("Tomorrow: {title}"),
    ReminderSlot.MORNING: N_("Today: {title}"),
    ReminderSlot.WAITING: N_("Still on the waiting list: {title}"),
}
BODIES: dict[str, str] = {
    ReminderSlot.THREE_DAYS: N_("{name}, {title} begins on {date} at {venue}. Please arrive on time."),
    ReminderSlot.EVENING: N_(
        "{name}, {title} begins tomorrow: first session {first} in {room}, {venue}. Bring your ID card."
    ),
    ReminderSlot.MORNING: N_(
        "{name}, {title} begins today: first session {first} in {room}, {venue}. Show your check-in code."
    ),
    ReminderSlot.WAITING: N_(
        "{name}, {title} begins on {date}. You are still on the waiting list (place {place}); we will tell you at "
        "once if a seat frees up."
    ),
}
DETAILS = N_("Details:")


@dataclass(frozen=True)
class Due:
    session: dict[str, Any]
    slot: str
    first_block: dict[str, Any] | None


async def plan_of(session_id: int) -> tuple[str, ...]:
    rows = await db.fetch('SELECT "slots" FROM "reminder_plan" WHERE "session" = {}', session_id)
    return parse_slots(rows[0]["slots"] if rows else None)


async def save_plan(session_id: int, slots: Sequence[str]) -> None:
    text = ",".join(slot for slot in parse_slots(",".join(slots)))
    async with db.transaction():
        await db.fetch(
            'INSERT INTO "reminder_plan" ("session", "slots") VALUES ({}, {}) '
            'ON CONFLICT ("session") DO UPDATE SET "slots" = excluded."slots"',
            session_id,
            text,
        )


async def first_block(session_id: int) -> dict[str, Any] | None:
    rows = await db.fetch(
        'SELECT "day", "starts_at", "room" FROM "block" WHERE "session" = {} AND NOT "cancelled" '
        'ORDER BY "day", "starts_at" LIMIT 1',
        session_id,
    )
    return dict(rows[0]) if rows else None


async def due_now(now: datetime) -> list[Due]:
    """Published sessions starting within four days, and their slots due at `now`."""
    today = now.astimezone(LOCAL_TZ).date()
    sessions = await db.fetch(
        'SELECT "id", "title", "starts_on", "ends_on", "venue", "host_city" FROM "training_session" '
        'WHERE "status" = {} AND "starts_on" >= {} AND "starts_on" <= {}',
        SessionStatus.PUBLISHED,
        today,
        today + timedelta(days=4),
    )
    found = []
    for session in sessions:
        block = await first_block(int(session["id"]))
        starts = block["starts_at"] if block and block["day"] == session["starts_on"] else None
        for slot in due_slots(now, session["starts_on"], await plan_of(int(session["id"])), starts):
            found.append(Due(dict(session), slot, block))
    return found


def _message(due: Due, recipient: service.Recipient, base_url: str, place: int | None) -> service.Message:
    session, block = due.session, due.first_block
    with i18n.language("zh_Hans"):
        params = {
            "name": recipient.name,
            "title": session["title"],
            "date": dates_of(session),
            "venue": session["venue"] or session["host_city"],
            "first": block["starts_at"].strftime("%H:%M") if block else "",
            "room": (block["room"] if block else "") or session["venue"],
            "place": place or "",
        }
        body = i18n._(BODIES[due.slot], **params)
        subject = i18n._(SUBJECTS[due.slot], title=session["title"])
        details = i18n._(DETAILS)
    kind = MessageKind.STILL_WAITING if due.slot == ReminderSlot.WAITING else MessageKind.REMINDER
    return service.Message(
        kind=kind,
        subject=subject,
        email_text=f"{body}\n\n{details} {self_service_url(base_url, recipient.enrollment_id)}\n",
        sms_text=shape(body + details, link_for(base_url, recipient.enrollment_id)),
    )


async def _places(session_id: int) -> dict[int, int]:
    rows = await db.fetch(
        'SELECT "id", RANK() OVER (ORDER BY "waitlist_seq") AS place FROM "enrollment" '
        'WHERE "session" = {} AND "status" = {}',
        session_id,
        "waitlisted",
    )
    return {int(r["id"]): int(r["place"]) for r in rows}


async def send_slot(due: Due, base_url: str) -> int:
    """Queue this slot's reminder for every teacher who should get it and has not; returns how many were queued."""
    session_id = int(due.session["id"])
    audience = await service.recipients(
        'e."session" = {} AND e."status" = {}', session_id, AUDIENCE[due.slot]
    )
    places = await _places(session_id) if due.slot == ReminderSlot.WAITING else {}
    queued = 0
    for start in range(0, len(audience), CHUNK):
        chunk = audience[start : start + CHUNK]
        marks = ", ".join("(CAST({} AS INTEGER))" for _ in chunk)
        async with db.transaction():
            # The status is read again inside the transaction: a teacher who cancelled meanwhile gets nothing.
            # (WHERE 1 = 1 keeps SQLite from reading ON CONFLICT as part of the join.)
            rows = await db.fetch(
                f"WITH v(e) AS (VALUES {marks}) "  # noqa: S608 - placeholders only
                'INSERT INTO "reminder_sent" ("enrollment", "slot", "created_at") '
                'SELECT v.e, {}, {} FROM v JOIN "enrollment" x ON x."id" = v.e AND x."status" = {} WHERE 1 = 1 '
                'ON CONFLICT ("enrollment", "slot") DO NOTHING RETURNING "enrollment"',
                *[r.enrollment_id for r in chunk],
                due.slot,
                datetime.now(UTC),
                AUDIENCE[due.slot],
            )
            mine = {int(row["enrollment"]) for row in rows}
            for recipient in chunk:
                if recipient.enrollment_id in mine:
                    message = _message(due, recipient, base_url, places.get(recipient.enrollment_id))
                    await service.send(
                        recipient, message, dedupe_key=f"reminder:{recipient.enrollment_id}:{due.slot}"
                    )
                    queued += 1
    return queued


async def run_due(now: datetime | None = None, *, base_url: str) -> dict[tuple[int, str], int]:
    """Send every reminder due at `now` (tests move the clock); {(session, slot): queued}."""
    now = now or datetime.now(UTC)
    result = {}
    for due in await due_now(now):
        queued = await send_slot(due, base_url)
        if queued:
            log.info("reminders: session %s slot %s: %s queued", due.session["id"], due.slot, queued)
        result[(int(due.session["id"]), due.slot)] = queued
    return result


async def run_periodically(base_url: str, stop: Any, every: float = 60.0) -> None:
    """Beside the outbox workers (training/worker.py: run_workers): look for due reminders every minute.
    Any number of processes may run this at once; see the module docstring."""
    import asyncio
    import contextlib

    while not stop.is_set():
        try:
            await run_due(base_url=base_url)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: next time
            log.warning("reminders: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)

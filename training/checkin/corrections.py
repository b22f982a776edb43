"""Attendance corrections: undo a scan (voided, kept for the audit), mark a teacher late or excused for a block,
set a block's check-in window and the session's rule for excused blocks. Every change is audited.

Who may do what: on-site staff undo scans of sessions they are assigned to; organisers undo any scan, mark late
or excused, set windows and the rule; coordinators none of it. What counts as attended afterwards is the
`attendance` database view (check-ins not voided, late marks, excused marks when the rule says so), which the
statistics, certificates and the 学时 ledger all read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.checkin import assignments, sql
from training.checkin.states import MarkKind
from training.core.actor import Actor, Role
from training.errors import Conflict, Forbidden, NotFound, ValidationFailed
from training.i18n import N_, register_messages

MAX_TEXT = 500
MAX_WINDOW_MINUTES = 1440

register_messages(
    {
        "void_reason_required": N_("Say why this scan is undone."),
        "text_too_long": N_("At most {max} characters."),
        "check_in_not_found": N_("This check-in does not exist."),
        "already_voided": N_("This check-in was already undone."),
        "not_in_session": N_("This teacher is not enrolled in the block's session."),
        "window_minutes": N_("Minutes from 0 to 1440."),
        "may_not_undo": N_("Only organisers and the staff assigned to this session undo scans."),
    }
)


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: str, key: str, *, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationFailed({key: "void_reason_required"})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({key: "text_too_long"}, params={"max": MAX_TEXT})
    return text


def require_organiser(actor: Actor) -> None:
    if actor.role != Role.ORGANISER:
        raise Forbidden()


async def may_undo(actor: Actor, session_id: int) -> bool:
    """Organisers: any scan. Staff: scans of the sessions they are assigned to. Host coordinators: scans of their
    city's cohorts. Coordinators: none."""
    if actor.role == Role.ORGANISER:
        return True
    if actor.role == Role.HOST:
        return session_id in await assignments.hosted_sessions(actor.host_city)
    if actor.role != Role.STAFF or actor.user_id is None:
        return False
    return session_id in await assignments.assigned_sessions(actor.user_id)


async def void_check_in(actor: Actor, check_in_id: int, reason: str) -> dict[str, Any]:
    """Undo a scan: the row stays, marked voided (when, by whom, why), and counts nowhere any more."""
    reason = _text(reason, "reason", required=True)
    row = await sql.check_in_row(check_in_id)
    if row is None:
        raise NotFound("check_in_not_found")
    if not await may_undo(actor, int(row["session"])):
        raise Forbidden("may_not_undo")
    async with db.transaction():
        voided = await sql.void_check_in(check_in_id, _now(), actor.user_id, actor.name, reason)
        if voided is None:
            raise Conflict("already_voided")
        await audit.record(
            actor,
            "void_check_in",
            "check_in",
            check_in_id,
            {
                "reason": reason,
                "enrollment": voided["enrollment"],
                "block": voided["block"],
                "scanned_at": sql.as_datetime(voided["scanned_at"]).isoformat(),
                "scanned_by": voided["staff_name"],
                "client_id": voided["client_id"],
            },
        )
    return voided


async def set_mark(
    actor: Actor, block_id: int, enrollment_id: int, kind: MarkKind | None, note: str = ""
) -> None:
    """Mark a teacher late or excused for a block (kind None: remove the mark). Organisers only."""
    require_organiser(actor)
    note = _text(note, "note")
    block = await sql.block_window(block_id)
    if await sql.enrollment_session(enrollment_id) != int(block["session"]):
        raise ValidationFailed({"enrollment": "not_in_session"})
    async with db.transaction():
        before = await sql.mark_of(enrollment_id, block_id)
        if kind is None:
            if before is None:
                return
            await sql.delete_mark(enrollment_id, block_id)
        else:
            await sql.put_mark(enrollment_id, block_id, kind.value, note, _now(), actor.user_id, actor.name)
        after = None if kind is None else {"kind": kind.value, "note": note}
        was = None if before is None else {"kind": before["kind"], "note": before["note"]}
        if was == after:
            return
        await audit.record(
            actor,
            "mark_attendance",
            "enrollment",
            enrollment_id,
            {"block": block_id, "mark": [was, after]},
        )


def window_minutes(value: int | None, key: str) -> int:
    if value is None or not 0 <= value <= MAX_WINDOW_MINUTES:
        raise ValidationFailed({key: "window_minutes"})
    return value


async def set_window(actor: Actor, block_id: int, before: int, after: int) -> None:
    """The block's check-in window: `before` minutes before it starts to `after` minutes after it ends."""
    require_organiser(actor)
    before = window_minutes(before, "checkin_before_minutes")
    after = window_minutes(after, "checkin_after_minutes")
    async with db.transaction():
        was = await sql.block_window(block_id)
        await sql.set_block_window(block_id, before, after)
        await audit.record_change(
            actor,
            "block",
            block_id,
            {"checkin_before_minutes": was["opens_before"], "checkin_after_minutes": was["closes_after"]},
            {"checkin_before_minutes": before, "checkin_after_minutes": after},
            action="checkin_window",
        )


async def set_excused_rule(actor: Actor, session_id: int, counts: bool) -> None:
    """Whether blocks a teacher was excused from count toward her hours and certificate in this session."""
    require_organiser(actor)
    async with db.transaction():
        was = await sql.excused_counts(session_id)
        if was == counts:
            return
        await sql.set_excused_counts(session_id, counts)
        await audit.record(
            actor, "excused_rule", "training_session", session_id, {"excused_counts": [was, counts]}
        )


@dataclass
class SheetRow:
    enrollment_id: int
    name: str
    county: str
    school: str
    status: str
    check_in_id: int | None
    scanned_at: datetime | None
    scanned_by: str
    mark: str  # "", late, excused
    mark_note: str
    mark_by: str


@dataclass
class Sheet:
    block: dict[str, Any]
    excused_counts: bool
    may_undo: bool
    may_mark: bool
    rows: list[SheetRow] = field(default_factory=list)
    voided: list[dict[str, Any]] = field(default_factory=list)

    @property
    def checked_in(self) -> int:
        return sum(1 for r in self.rows if r.check_in_id is not None)


async def block_sheet(actor: Actor, block_id: int) -> Sheet:
    """A block's attendance for corrections: who is checked in (and by whom), marks, and the voided scans."""
    row = await sql.block_row(block_id)
    block = {
        **row,
        "day": sql.as_date(row["day"]),
        "starts_at": sql.as_time(row["starts_at"]),
        "ends_at": sql.as_time(row["ends_at"]),
    }
    session_id = int(block["session"])
    if actor.role not in (Role.ORGANISER, Role.STAFF, Role.HOST):
        raise Forbidden()
    if not await assignments.may_scan_block(actor, block_id):
        raise Forbidden("not_assigned")
    rows = [
        SheetRow(
            enrollment_id=int(r["e_id"]),
            name=r["name"] or "",
            county=r["county"] or "",
            school=r["school"] or "",
            status=r["status"],
            check_in_id=r["ci_id"],
            scanned_at=sql.as_datetime(r["ci_at"]) if r["ci_at"] is not None else None,
            scanned_by=r["ci_by"] or "",
            mark=r["mark"] or "",
            mark_note=r["mark_note"] or "",
            mark_by=r["mark_by"] or "",
        )
        for r in await sql.block_sheet(block_id, session_id)
    ]
    voided = [
        {**v, "scanned_at": sql.as_datetime(v["scanned_at"]), "voided_at": sql.as_datetime(v["voided_at"])}
        for v in await sql.voided_check_ins(block_id)
    ]
    return Sheet(
        block=block,
        excused_counts=await sql.excused_counts(session_id),
        may_undo=await may_undo(actor, session_id),
        may_mark=actor.role == Role.ORGANISER,
        rows=rows,
        voided=voided,
    )


async def window_of(block_id: int) -> dict[str, Any]:
    """The block's id, session and window minutes (`opens_before`, `closes_after`); NotFound when none."""
    return await sql.block_window(block_id)

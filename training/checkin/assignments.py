"""Which sessions an on-site staff account may scan for.

An account with assignments sees and scans only those sessions; one with none yet keeps seeing every session
running around today (so a scanner made before assignments existed is not locked out; the accounts page says
so). A host coordinator scans only the exchange cohorts hosted in its city (training_session.host_city), none if it has
no city. Organisers are never restricted. Look-ups sit on the scan path, so they are cached for a few seconds per
process; changes made here clear this process's copy at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.checkin import sql
from training.checkin.tables import StaffAssignment
from training.core.actor import Actor, Role
from training.programmes.states import ProgrammeKind
from training.programmes.tables import Block, TrainingSession

CACHE_SECONDS = 5.0
_by_user: dict[int, tuple[float, frozenset[int]]] = {}
_by_city: dict[str, tuple[float, frozenset[int]]] = {}
_block_session: dict[int, int] = {}  # a block never moves to another session


def forget() -> None:
    _by_user.clear()
    _by_city.clear()


async def assigned_sessions(user_id: int) -> frozenset[int]:
    cached = _by_user.get(user_id)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = await StaffAssignment.select(StaffAssignment.session).where(StaffAssignment.user == user_id)
    sessions = frozenset(int(r["session"]) for r in rows)
    _by_user[user_id] = (time.monotonic(), sessions)
    return sessions


async def hosted_sessions(host_city: str) -> frozenset[int]:
    """The sessions hosted in a city (a host coordinator's cohorts); none for no city."""
    if not host_city:
        return frozenset()
    cached = _by_city.get(host_city)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = await TrainingSession.select(TrainingSession.id).where(
        (TrainingSession.host_city == host_city) & (TrainingSession.programme.kind == ProgrammeKind.EXCHANGE)
    )
    sessions = frozenset(int(r["id"]) for r in rows)
    _by_city[host_city] = (time.monotonic(), sessions)
    return sessions


async def visible_sessions(principal: Actor) -> frozenset[int] | None:
    """None: no restriction (organisers, staff without assignments); else the sessions this account may scan."""
    if principal.role == Role.HOST:
        return await hosted_sessions(principal.host_city)
    if principal.role != Role.STAFF or principal.user_id is None:
        return None
    sessions = await assigned_sessions(principal.user_id)
    return sessions or None


async def session_of_block(block_id: int) -> int | None:
    if block_id in _block_session:
        return _block_session[block_id]
    row = await Block.select(Block.session).where(Block.id == block_id).first()
    if row is None:
        return None
    _block_session[block_id] = int(row["session"])
    return _block_session[block_id]


async def may_scan_block(principal: Actor, block_id: int) -> bool:
    allowed = await visible_sessions(principal)
    if allowed is None:
        return True
    return await session_of_block(block_id) in allowed


async def set_assignments(actor: Actor, user_id: int, session_ids: set[int]) -> None:
    """Replace the account's assignments; the change is audited (sessions added and removed)."""
    async with db.transaction():
        rows = await StaffAssignment.select(StaffAssignment.session).where(StaffAssignment.user == user_id)
        before = {int(r["session"]) for r in rows}
        existing = (
            {
                int(r["id"])
                for r in await TrainingSession.select(TrainingSession.id).where(
                    TrainingSession.id.is_in(sorted(session_ids))
                )
            }
            if session_ids
            else set()
        )
        added, removed = existing - before, before - existing
        if removed:
            await StaffAssignment.delete().where(
                (StaffAssignment.user == user_id) & StaffAssignment.session.is_in(sorted(removed))
            )
        if added:
            now = datetime.now(UTC)
            await StaffAssignment.insert(
                *[StaffAssignment(user=user_id, session=s, created_at=now) for s in sorted(added)]
            )
        for session_id in sorted(added):
            await audit.record(actor, "assign", "staff_user", user_id, {"session": [None, session_id]})
        for session_id in sorted(removed):
            await audit.record(actor, "unassign", "staff_user", user_id, {"session": [session_id, None]})
    forget()


async def sessions_for_choice() -> list[dict[str, Any]]:
    """Sessions an organiser can assign staff to: not closed, newest first."""
    return await sql.open_sessions()

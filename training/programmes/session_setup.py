"""Setting a session up: create, edit and delete it; the lock every change to a session takes first.

Every write runs in `db.transaction()` with its audit entry; every rule lives in `rules.py`. On PostgreSQL
a session's row is locked (`FOR UPDATE`) before its seats are counted, so an enrollment that claims a seat with
its conditional UPDATE waits for us (and we for it): "capacity lowered below the seats held" cannot slip through.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.errors import Conflict
from training.programmes import hooks, rules, sql
from training.programmes.problems import Invalid, check
from training.programmes.rules import Problem, SessionDraft
from training.programmes.sessions import Session, get_session
from training.programmes.states import SessionStatus
from training.programmes.tables import Block, CountyQuota, Programme, TrainingSession

SESSION_EDITABLE = tuple(f.name for f in SessionDraft.__dataclass_fields__.values())


def draft_of(session: Session) -> SessionDraft:
    """The editable part of a stored session (for forms and PATCH merges)."""
    return SessionDraft(
        programme_id=session.programme,
        **{k: getattr(session, k) for k in SESSION_EDITABLE if k != "programme_id"},
    )


def columns_of(draft: SessionDraft) -> dict[Any, Any]:
    values = asdict(draft)
    values["programme"] = values.pop("programme_id")
    values["year"] = draft.effective_year()
    values["title"] = draft.title.strip()
    for key in ("registration_opens_at", "registration_closes_at", "nomination_deadline"):
        values[key] = rules.as_utc(values[key])
    return values


async def lock_session(session_id: int) -> Session:
    """The session row, locked until the end of the transaction on PostgreSQL (SQLite: the writer lock)."""
    await sql.lock_session_row(session_id)
    return await get_session(session_id)


async def _quota_total(session_id: int) -> int:
    rows = await CountyQuota.select(CountyQuota.quota).where(CountyQuota.session == session_id)
    return sum(r["quota"] or 0 for r in rows)


def require_editable(session: Session) -> None:
    problem = rules.check_editable(session.status)
    if problem:
        raise Conflict(problem.code, fields={problem.field: problem.code})


async def _check_programme_exists(programme_id: int) -> None:
    if not await Programme.exists().where(Programme.id == programme_id):
        raise Invalid([Problem("programme_id", "unknown_programme")])


async def create_session(actor: Actor | None, draft: SessionDraft) -> int:
    check(rules.check_session(draft))
    async with db.transaction():
        await _check_programme_exists(draft.programme_id)
        values = columns_of(draft)
        rows = await TrainingSession.insert(
            TrainingSession(**values, status=SessionStatus.DRAFT, updated_at=datetime.now(UTC))
        )
        session_id = int(rows[0]["id"])
        await audit.record_change(
            actor, "session", session_id, None, {**values, "status": SessionStatus.DRAFT}
        )
    return session_id


async def update_session(actor: Actor | None, session_id: int, draft: SessionDraft) -> None:
    async with db.transaction():
        before = await lock_session(session_id)
        require_editable(before)
        days = [b["day"] for b in await Block.select(Block.day).where(Block.session == session_id)]
        check(
            rules.check_session(
                draft,
                seats_held=max(await hooks.seats_held(session_id), before.seats_taken),
                block_days=days,
                quota_total=await _quota_total(session_id),
            )
        )
        if draft.programme_id != before.programme:
            await _check_programme_exists(draft.programme_id)
        values = columns_of(draft)
        await TrainingSession.update(
            {
                **{getattr(TrainingSession, k): v for k, v in values.items()},
                TrainingSession.updated_at: datetime.now(UTC),
            }
        ).where(TrainingSession.id == session_id)
        after = {**before.as_dict(), **values}
        await audit.record_change(actor, "session", session_id, before.as_dict(), after)
        await hooks.session_changed(before.as_dict(), after)


async def delete_session(actor: Actor | None, session_id: int) -> None:
    async with db.transaction():
        before = await lock_session(session_id)
        require_editable(before)
        await hooks.refuse_if_held(hooks.session_deletion_checks, session_id)
        await TrainingSession.delete().where(TrainingSession.id == session_id)
        await audit.record_change(actor, "session", session_id, before.as_dict(), None)

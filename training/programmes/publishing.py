"""Publishing, closing, reopening and unpublishing a session, and what such a change touches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.errors import Conflict
from training.programmes import hooks, rules, sql
from training.programmes.problems import check
from training.programmes.session_setup import lock_session
from training.programmes.states import SessionStatus
from training.programmes.tables import Block, CountyQuota, TrainingSession


async def set_status(actor: Actor | None, session_id: int, target: str) -> None:
    async with db.transaction():
        before = await lock_session(session_id)
        eligible = await CountyQuota.count().where(CountyQuota.session == session_id)
        blocks = await Block.count().where((Block.session == session_id) & (Block.cancelled.eq(False)))
        problems = rules.check_transition(
            before.status,
            target,
            capacity=before.capacity,
            eligible_counties=int(eligible),
            blocks=int(blocks),
            has_threshold=before.has_threshold,
        )
        if problems and problems[0].code == "invalid_transition":
            raise Conflict(
                "invalid_transition", fields={"status": "invalid_transition"}, params=problems[0].params
            )
        check(problems)
        await TrainingSession.update(
            {TrainingSession.status: target, TrainingSession.updated_at: datetime.now(UTC)}
        ).where(TrainingSession.id == session_id)
        action = "unpublish" if target == SessionStatus.DRAFT else target
        if before.status == SessionStatus.CLOSED and target == SessionStatus.PUBLISHED:
            action = "reopen"
            await hooks.session_reopened(session_id)
        if target == SessionStatus.CLOSED:
            await hooks.session_closed(before.as_dict(), datetime.now(LOCAL_TZ).date())
        await audit.record(
            actor,
            action,
            "session",
            session_id,
            {"status": [before.status, target]},
        )


@dataclass
class SessionImpact:
    """What changing a session's status touches: the people enrolled (by status), the timetable, the quotas."""

    by_status: dict[str, int]
    blocks: int
    quotas: int

    @property
    def holding_seats(self) -> int:
        return sum(self.by_status.get(s, 0) for s in ("confirmed", "pending", "nominated"))

    @property
    def active(self) -> int:
        """Everyone still in the session (not cancelled, not rejected)."""
        return sum(n for s, n in self.by_status.items() if s not in ("cancelled", "rejected"))


async def session_impact(session_id: int) -> SessionImpact:
    return SessionImpact(
        by_status=await sql.enrollments_by_status(session_id),
        blocks=int(await Block.count().where((Block.session == session_id) & (Block.cancelled.eq(False)))),
        quotas=int(await CountyQuota.count().where(CountyQuota.session == session_id)),
    )

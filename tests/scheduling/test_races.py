"""Lowering the capacity while teachers claim seats: the capacity never ends below the seats held."""

from __future__ import annotations

import asyncio

from tests.scheduling.factories import ORGANISER, county, enrollment, enrollments, programme, session_draft
from training import db
from training.enrollment.tables import Enrollment
from training.errors import ValidationFailed
from training.programmes import service, sessions
from training.programmes.tables import TrainingSession


async def claim_seat(session_id: int, county_id: int, n: int) -> bool:
    """What the enrollment domain does: a conditional UPDATE claims the seat, the row is inserted with it."""
    async with db.transaction():
        claimed = await db.fetch(
            'UPDATE "training_session" SET "seats_taken" = "seats_taken" + 1 '
            'WHERE "id" = {} AND "seats_taken" < "capacity" RETURNING "id"',
            session_id,
        )
        if not claimed:
            return False
        await enrollment(session_id, county_id, f"r{n}")
        return True


async def test_capacity_cut_racing_with_seat_claims_never_leaves_more_seats_than_capacity(adb) -> None:
    pid = await programme()
    cid = await county()
    for round_ in range(3):
        sid = await service.create_session(ORGANISER, session_draft(pid, capacity=20))
        await enrollments(sid, cid, 4)
        await TrainingSession.update({TrainingSession.seats_taken: 4}).where(TrainingSession.id == sid)

        async def cut(sid: int) -> str:
            try:
                await service.update_session(ORGANISER, sid, session_draft(pid, capacity=6))
            except ValidationFailed as exc:
                return exc.fields["capacity"]
            return "ok"

        results = await asyncio.gather(
            *[claim_seat(sid, cid, round_ * 100 + i) for i in range(8)], cut(sid), return_exceptions=True
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        session = await sessions.get_session(sid)
        held = await Enrollment.count().where((Enrollment.session == sid) & (Enrollment.holds_seat.eq(True)))
        assert held <= session.capacity, (held, session.capacity, results)
        assert held == session.seats_taken
        assert results[-1] in ("ok", "capacity_below_taken")

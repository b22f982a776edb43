"""What registrations forbid in a session's setup (registered in `programmes.hooks` by training/wiring.py)."""

from __future__ import annotations

from training.enrollment.tables import Enrollment


async def session_has_enrollments(session_id: int) -> str | None:
    """A session teachers have registered for cannot be deleted."""
    return (
        "session_has_enrollments"
        if await Enrollment.exists().where(Enrollment.session == session_id)
        else None
    )


async def seats_held(session_id: int) -> int:
    """The seats the session's registrations hold (its capacity cannot go below them)."""
    return int(
        await Enrollment.count().where((Enrollment.session == session_id) & (Enrollment.holds_seat.eq(True)))
    )

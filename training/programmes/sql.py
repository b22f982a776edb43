"""Every statement of the scheduling domain that leaves Piccolo, in one place.

Row locks (PostgreSQL only: on SQLite the writer lock already serialises writers), the per-county seat counts and
the recount of the county quota counters, and the enrollment counts behind a status change's warning.
"""

from __future__ import annotations

from training import db

# county → enrollments of a session with the column true
_HELD_BY_COUNTY = {
    "holds_seat": 'SELECT "county", COUNT(*) AS n FROM "enrollment" WHERE "session" = {} AND "holds_seat" = {} '
    'GROUP BY "county"',
    "holds_quota": 'SELECT "county", COUNT(*) AS n FROM "enrollment" WHERE "session" = {} AND "holds_quota" = {} '
    'GROUP BY "county"',
}


def _postgres() -> bool:
    return not db.is_sqlite(db.current_engine())


async def lock_session_row(session_id: int) -> None:
    """The session row, locked until the end of the transaction: seat claims wait for a session edit."""
    if _postgres():
        await db.fetch('SELECT "id" FROM "training_session" WHERE "id" = {} FOR UPDATE', session_id)


async def lock_quotas_then_session(session_id: int) -> None:
    """The seat claims' order (quota rows, then the session row), and NO KEY so that registrations holding the
    session's key-share lock (their enrollment insert) can go on to their claim: no deadlock."""
    if _postgres():
        await db.fetch(
            'SELECT "id" FROM "county_quota" WHERE "session" = {} ORDER BY "id" FOR NO KEY UPDATE', session_id
        )
        await db.fetch('SELECT "id" FROM "training_session" WHERE "id" = {} FOR NO KEY UPDATE', session_id)


async def held_by_county(session_id: int, column: str) -> dict[int, int]:
    """county → enrollments of this session with `column` (holds_seat / holds_quota) true."""
    rows = await db.fetch(_HELD_BY_COUNTY[column], session_id, True)
    return {int(r["county"]): int(r["n"]) for r in rows}


async def recount_quota_seats(session_id: int) -> None:
    """Every county counter of the session recounted from the enrollments that hold a quota seat."""
    await db.fetch(
        'UPDATE "county_quota" SET "seats_taken" = (SELECT COUNT(*) FROM "enrollment" e'
        '  WHERE e."session" = "county_quota"."session" AND e."county" = "county_quota"."county"'
        '  AND e."holds_quota" = {}) WHERE "session" = {}',
        True,
        session_id,
    )


async def enrollments_by_status(session_id: int) -> dict[str, int]:
    rows = await db.fetch(
        'SELECT "status", COUNT(*) AS n FROM "enrollment" WHERE "session" = {} GROUP BY "status"', session_id
    )
    return {r["status"]: int(r["n"]) for r in rows}

"""The people package's SQL outside Piccolo, one function per statement. Values are always bound parameters."""

from __future__ import annotations

from training import db
from training.people.states import ChangeRequestStatus, DecidedVia


async def school_counts() -> dict[int, int]:
    """county id → number of its schools."""
    rows = await db.fetch('SELECT "county", COUNT(*) AS n FROM "school" GROUP BY "county"')
    return {int(r["county"]): int(r["n"]) for r in rows}


async def has_unproven_change(enrollment_id: int) -> bool:
    """Whether the enrollment's submission proposed a change that was refused, or is pending with no proof yet."""
    rows = await db.fetch(
        'SELECT 1 AS x FROM "teacher_change_request" WHERE "enrollment_id" = {} '
        'AND ("status" = {} OR ("status" = {} AND "decided_via" = {})) LIMIT 1',
        enrollment_id,
        ChangeRequestStatus.REJECTED,
        ChangeRequestStatus.PENDING,
        DecidedVia.UNDECIDED,
    )
    return bool(rows)

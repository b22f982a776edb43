"""Seat claims and releases in the database. Call only inside db.write_transaction().

Every seat change of a session first locks that session's row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the
writer lock already serialises every write transaction), so the quota/pool decision in seats.py is taken on fresh
numbers; the claim itself is still a conditional UPDATE ... RETURNING, so even a mistaken decision could not push
seats_taken past capacity or a county past its quota.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from training import db
from training.enrollment.seats import QuotaState, SeatDecision, decide_seat, quotas_released

SESSION_COLUMNS = (
    '"id", "title", "capacity", "seats_taken", "mode", "status", "release_unused_quota_on", "starts_on", '
    '"ends_on", "venue", "host_city", "registration_opens_at", "registration_closes_at", "nomination_deadline", '
    '"contact_name", "contact_phone", "year"'
)


async def lock_session(session_id: int) -> dict[str, Any] | None:
    lock = "" if db.is_sqlite(db.current_engine()) else " FOR UPDATE"
    rows = await db.raw(f'SELECT {SESSION_COLUMNS} FROM "training_session" WHERE "id" = {{}}{lock}', session_id)
    return rows[0] if rows else None


async def quota_states(session_id: int) -> list[QuotaState]:
    rows = await db.raw(
        'SELECT "county", "quota", "seats_taken" FROM "county_quota" WHERE "session" = {}', session_id
    )
    return [QuotaState(int(r["county"]), r["quota"], int(r["seats_taken"])) for r in rows]


async def claim_seat(session: dict[str, Any], county_id: int, today: date) -> SeatDecision:
    """Take a seat for a teacher of county_id if the rules allow; the session must be locked by the caller."""
    quotas = await quota_states(session["id"])
    county = next((q for q in quotas if q.county_id == county_id), QuotaState(county_id, None, 0))
    current = await db.raw('SELECT "seats_taken" FROM "training_session" WHERE "id" = {}', session["id"])
    decision = decide_seat(
        capacity=int(session["capacity"]),
        seats_taken=int(current[0]["seats_taken"]),
        county=county,
        all_quotas=quotas,
        released=quotas_released(session["release_unused_quota_on"], today),
    )
    if not decision.seat:
        return decision
    claimed = await db.raw(
        'UPDATE "training_session" SET "seats_taken" = "seats_taken" + 1 '
        'WHERE "id" = {} AND "seats_taken" < "capacity" RETURNING "seats_taken"',
        session["id"],
    )
    if not claimed:
        return SeatDecision(False)
    if decision.quota:
        quota_claimed = await db.raw(
            'UPDATE "county_quota" SET "seats_taken" = "seats_taken" + 1 WHERE "session" = {} AND "county" = {} '
            'AND "quota" IS NOT NULL AND "seats_taken" < "quota" RETURNING "seats_taken"',
            session["id"],
            county_id,
        )
        if not quota_claimed:
            await release_seat(session["id"], county_id, holds_seat=True, holds_quota=False)
            return SeatDecision(False)
    return decision


async def release_seat(session_id: int, county_id: int, *, holds_seat: bool, holds_quota: bool) -> None:
    if holds_seat:
        await db.raw(
            'UPDATE "training_session" SET "seats_taken" = "seats_taken" - 1 WHERE "id" = {} AND "seats_taken" > 0',
            session_id,
        )
    if holds_quota:
        await db.raw(
            'UPDATE "county_quota" SET "seats_taken" = "seats_taken" - 1 '
            'WHERE "session" = {} AND "county" = {} AND "seats_taken" > 0',
            session_id,
            county_id,
        )


async def next_waitlist_seq(session_id: int) -> int:
    rows = await db.raw(
        'SELECT COALESCE(MAX("waitlist_seq"), 0) + 1 AS n FROM "enrollment" WHERE "session" = {}', session_id
    )
    return int(rows[0]["n"])


async def waitlist_position(session_id: int, seq: int | None) -> int | None:
    if seq is None:
        return None
    rows = await db.raw(
        'SELECT COUNT(*) AS n FROM "enrollment" WHERE "session" = {} AND "status" = {} AND "waitlist_seq" < {}',
        session_id,
        "waitlisted",
        seq,
    )
    return int(rows[0]["n"]) + 1


async def next_enrollment_id() -> int:
    """Reserve the id before the seat is claimed, so the QR code can be drawn while no lock is held."""
    if db.is_sqlite(db.current_engine()):
        rows = await db.raw('SELECT COALESCE(MAX("id"), 0) + 1 AS id FROM "enrollment"')
    else:
        rows = await db.raw("SELECT nextval(pg_get_serial_sequence('enrollment', 'id')) AS id")
    return int(rows[0]["id"])

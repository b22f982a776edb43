"""Seat claims and releases in the database. Call only inside db.write_transaction().

Every seat change of a session first locks that session's row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the
writer lock already serialises every write transaction), so the quota/pool decision in seats.py is taken on fresh
numbers; the claim itself is still a conditional UPDATE ... RETURNING, so even a mistaken decision could not push
seats_taken past capacity or a county past its quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from training import db
from training.enrollment.seats import QuotaState, SeatDecision, decide_seat, quotas_released

SESSION_COLUMNS = (
    '"id", "title", "capacity", "seats_taken", "mode", "status", "release_unused_quota_on", "starts_on", '
    '"ends_on", "venue", "host_city", "registration_opens_at", "registration_closes_at", "nomination_deadline", '
    '"contact_name", "contact_phone", "year"'
)


async def lock_session(session_id: int) -> dict[str, Any] | None:
    """Serialise every seat change of this session. Lock order (PostgreSQL): the session's quota rows by id, then
    the session row — the same order the single-statement claim takes (one quota row, then the session), so the two
    paths cannot deadlock."""
    # NO KEY UPDATE, not UPDATE: inserting an enrollment takes KEY SHARE on its session row (the foreign key
    # check), which FOR UPDATE would wait for while the inserting transaction waits for us — a deadlock.
    lock = "" if db.is_sqlite(db.current_engine()) else " FOR NO KEY UPDATE"
    if lock:
        await db.raw(f'SELECT "id" FROM "county_quota" WHERE "session" = {{}} ORDER BY "id"{lock}', session_id)
    rows = await db.raw(f'SELECT {SESSION_COLUMNS} FROM "training_session" WHERE "id" = {{}}{lock}', session_id)
    return dict(rows[0]) if rows else None


async def quota_states(session_id: int) -> list[QuotaState]:
    rows = await db.raw(
        'SELECT "county", "quota", "seats_taken" FROM "county_quota" WHERE "session" = {}', session_id
    )
    return [QuotaState(int(r["county"]), r["quota"], int(r["seats_taken"])) for r in rows]


async def claim_seat(
    session: dict[str, Any], county_id: int, today: date, *, seats_taken: int | None = None
) -> SeatDecision:
    """Take a seat for a teacher of county_id if the rules allow; the session must be locked by the caller.
    seats_taken: the count read with the lock, if nothing in this transaction has changed it since."""
    quotas = await quota_states(session["id"])
    county = next((q for q in quotas if q.county_id == county_id), QuotaState(county_id, None, 0))
    if seats_taken is None:
        current = await db.raw('SELECT "seats_taken" FROM "training_session" WHERE "id" = {}', session["id"])
        seats_taken = int(current[0]["seats_taken"])
    decision = decide_seat(
        capacity=int(session["capacity"]),
        seats_taken=seats_taken,
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


@dataclass(frozen=True)
class Claim:
    seat: bool
    quota: bool
    session: dict[str, Any]  # the session row as read with the claim (title, dates, window, ...)


async def _fast_mode(session_id: int, county_id: int, today: date) -> str | None:
    """Which single-statement claim is safe on PostgreSQL for this county, if any:
    "quota": the county has a quota (before any release): its quota row, then the session row;
    "open": no county of the session has a quota, so the capacity alone decides (the session row only).
    Otherwise (open pool next to quotas, or released quotas) the locked path decides."""
    quotas = await quota_states(session_id)
    rows = await db.raw('SELECT "release_unused_quota_on" FROM "training_session" WHERE "id" = {}', session_id)
    if not rows or quotas_released(rows[0]["release_unused_quota_on"], today):
        return None
    if all(q.quota is None for q in quotas):
        return "open"
    county = next((q for q in quotas if q.county_id == county_id), None)
    return "quota" if county is not None and county.quota is not None else None


async def claim_for_enrollment(
    session_id: int, county_id: int, enrollment_id: int, status: str, today: date, now: datetime, *, fast: bool
) -> Claim:
    """Give the (waiting) enrollment a seat if the rules allow, setting its status; all inside the caller's
    transaction. PostgreSQL with fast=True: one statement claims quota + session seat and upgrades the row, so the
    session row is locked only from here to the commit. Elsewhere: lock, decide (seats.py), conditional UPDATEs."""
    mode = await _fast_mode(session_id, county_id, today) if fast and not db.is_sqlite(db.current_engine()) else None
    if mode is not None:
        quota_cte = (
            'q AS (UPDATE "county_quota" SET "seats_taken" = "seats_taken" + 1 WHERE "session" = {} AND "county" = {} '
            'AND "quota" IS NOT NULL AND "seats_taken" < "quota" RETURNING 1 AS ok), '
        )
        sql = (
            "WITH "
            + (quota_cte if mode == "quota" else "")
            + 's AS (UPDATE "training_session" SET "seats_taken" = "seats_taken" + 1 WHERE "id" = {} '
            'AND "seats_taken" < "capacity"'
            + (" AND EXISTS (SELECT 1 FROM q)" if mode == "quota" else "")
            + ' RETURNING 1 AS ok), e AS (UPDATE "enrollment" SET "status" = {}, "holds_seat" = TRUE, '
            '"holds_quota" = {}, "waitlist_seq" = NULL, "confirmed_at" = {} '
            'WHERE "id" = {} AND EXISTS (SELECT 1 FROM s) RETURNING 1 AS ok) '
            "SELECT "
            + ("(SELECT COUNT(*) FROM q) AS q, " if mode == "quota" else "0 AS q, ")
            + f'(SELECT COUNT(*) FROM e) AS e, {SESSION_COLUMNS} FROM "training_session" WHERE "id" = {{}}'
        )
        args: list[Any] = [session_id, county_id] if mode == "quota" else []
        args += [session_id, status, mode == "quota", now if status == "confirmed" else None, enrollment_id, session_id]
        row = dict((await db.raw(sql, *args))[0])
        claimed = int(row["e"]) == 1
        if int(row["q"]) == 1 and not claimed:
            # quota seat taken but the session was full (quotas above capacity): give the quota seat back
            await release_seat(session_id, county_id, holds_seat=False, holds_quota=True)
        return Claim(claimed, claimed and mode == "quota", row)

    locked = await lock_session(session_id)
    if locked is None:
        raise LookupError(f"session {session_id} vanished")
    decision = await claim_seat(locked, county_id, today, seats_taken=int(locked["seats_taken"]))
    if decision.seat:
        await db.raw(
            'UPDATE "enrollment" SET "status" = {}, "holds_seat" = {}, "holds_quota" = {}, "waitlist_seq" = NULL, '
            '"confirmed_at" = {} WHERE "id" = {}',
            status,
            True,
            decision.quota,
            now if status == "confirmed" else None,
            enrollment_id,
        )
    return Claim(decision.seat, decision.quota, locked)

"""Seat claims and releases in the database. Call only inside db.transaction().

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
from training.core.clock import LOCAL_TZ
from training.enrollment.seats import QuotaState, SeatDecision, decide_seat, quotas_released
from training.enrollment.states import EnrollmentStatus

SESSION_COLUMNS = (
    '"id", "title", "capacity", "seats_taken", "mode", "status", "release_unused_quota_on", "starts_on", '
    '"ends_on", "venue", "host_city", "registration_opens_at", "registration_closes_at", "nomination_deadline", '
    '"contact_name", "contact_phone", "year"'
)

# Statements are assembled from constants only (values travel as {} parameters).
_SESSION_ROW = "".join(("SELECT ", SESSION_COLUMNS, ' FROM "training_session" WHERE "id" = {}'))
_LOCK_SESSION_ROW = _SESSION_ROW + " FOR NO KEY UPDATE"
_LOCK_QUOTAS = 'SELECT "id" FROM "county_quota" WHERE "session" = {} ORDER BY "id" FOR NO KEY UPDATE'
_CLAIM_TAIL = "".join(
    (
        ' RETURNING 1 AS ok), e AS (UPDATE "enrollment" SET "status" = {}, "holds_seat" = TRUE, ',
        '"holds_quota" = {}, "waitlist_seq" = NULL, "confirmed_at" = {} ',
        'WHERE "id" = {} AND EXISTS (SELECT 1 FROM s) RETURNING 1 AS ok) SELECT ',
    )
)
_CLAIM_SESSION = 's AS (UPDATE "training_session" SET "seats_taken" = "seats_taken" + 1 WHERE "id" = {} AND "seats_taken" < "capacity"'
# a county with a quota: its quota row first, then the session row, then the enrollment — one statement
_CLAIM_QUOTA = "".join(
    (
        'WITH q AS (UPDATE "county_quota" SET "seats_taken" = "seats_taken" + 1 WHERE "session" = {} ',
        'AND "county" = {} AND "quota" IS NOT NULL AND "seats_taken" < "quota" RETURNING 1 AS ok), ',
        _CLAIM_SESSION,
        " AND EXISTS (SELECT 1 FROM q)",
        _CLAIM_TAIL,
        "(SELECT COUNT(*) FROM q) AS q, (SELECT COUNT(*) FROM e) AS e, ",
        SESSION_COLUMNS,
        ' FROM "training_session" WHERE "id" = {}',
    )
)
# no county has a quota: the capacity alone decides
_CLAIM_OPEN = "".join(
    (
        "WITH ",
        _CLAIM_SESSION,
        _CLAIM_TAIL,
        "0 AS q, (SELECT COUNT(*) FROM e) AS e, ",
        SESSION_COLUMNS,
        ' FROM "training_session" WHERE "id" = {}',
    )
)


async def lock_session(session_id: int) -> dict[str, Any] | None:
    """Serialise every seat change of this session. Lock order (PostgreSQL): the session's quota rows by id, then
    the session row — the same order the single-statement claim takes (one quota row, then the session), so the two
    paths cannot deadlock."""
    # NO KEY UPDATE, not UPDATE: inserting an enrollment takes KEY SHARE on its session row (the foreign key
    # check), which FOR UPDATE would wait for while the inserting transaction waits for us — a deadlock.
    if db.is_sqlite(db.current_engine()):
        rows = await db.fetch(_SESSION_ROW, session_id)
    else:
        await db.fetch(_LOCK_QUOTAS, session_id)
        rows = await db.fetch(_LOCK_SESSION_ROW, session_id)
    return dict(rows[0]) if rows else None


async def quota_states(session_id: int) -> list[QuotaState]:
    rows = await db.fetch(
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
        current = await db.fetch(
            'SELECT "seats_taken" FROM "training_session" WHERE "id" = {}', session["id"]
        )
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
    claimed = await db.fetch(
        'UPDATE "training_session" SET "seats_taken" = "seats_taken" + 1 '
        'WHERE "id" = {} AND "seats_taken" < "capacity" RETURNING "seats_taken"',
        session["id"],
    )
    if not claimed:
        return SeatDecision(False)
    if decision.quota:
        quota_claimed = await db.fetch(
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
        await db.fetch(
            'UPDATE "training_session" SET "seats_taken" = "seats_taken" - 1 WHERE "id" = {} AND "seats_taken" > 0',
            session_id,
        )
    if holds_quota:
        await db.fetch(
            'UPDATE "county_quota" SET "seats_taken" = "seats_taken" - 1 '
            'WHERE "session" = {} AND "county" = {} AND "seats_taken" > 0',
            session_id,
            county_id,
        )


async def waitlist_position(session_id: int, seq: int | None) -> int | None:
    if seq is None:
        return None
    rows = await db.fetch(
        'SELECT COUNT(*) AS n FROM "enrollment" WHERE "session" = {} AND "status" = {} AND "waitlist_seq" < {}',
        session_id,
        EnrollmentStatus.WAITLISTED,
        seq,
    )
    return int(rows[0]["n"]) + 1


async def waitlist_positions(session_id: int, seqs: list[int]) -> dict[int, int]:
    """Waiting-list positions of many entries at once (a roster page): waitlist_seq → position, in one statement
    rather than one COUNT per row (100 statements a page; under registrations the page took 0.5–1.2 s)."""
    if not seqs:
        return {}
    ranked = (
        'SELECT "waitlist_seq" AS seq, RANK() OVER (ORDER BY "waitlist_seq") AS position FROM "enrollment" '
        'WHERE "session" = {} AND "status" = {} AND "waitlist_seq" IS NOT NULL'
    )
    marks = ", ".join("{}" for _ in seqs)  # placeholders only: the values travel as parameters
    sql = f"SELECT seq, position FROM ({ranked}) AS ranked WHERE seq IN ({marks})"  # noqa: S608
    rows = await db.fetch(sql, session_id, EnrollmentStatus.WAITLISTED, *seqs)
    return {int(r["seq"]): int(r["position"]) for r in rows}


@dataclass(frozen=True)
class Claim:
    seat: bool
    quota: bool
    session: dict[str, Any]  # the session row as read with the claim (title, dates, window, ...)


def fast_mode(
    quotas: dict[int, int | None], county_id: int, release_on: date | None, today: date
) -> str | None:
    """Which single-statement claim is safe on PostgreSQL for this county, if any (from the session's quota
    configuration, which does not change during a rush):
    "quota": the county has a quota (before any release): its quota row, then the session row;
    "open": no county of the session has a quota, so the capacity alone decides (the session row only).
    Otherwise (an open pool next to quotas, or released quotas) the locked path decides."""
    if quotas_released(release_on, today):
        return None
    if all(q is None for q in quotas.values()):
        return "open"
    return "quota" if quotas.get(county_id) is not None else None


async def claim_for_enrollment(
    session_id: int, county_id: int, enrollment_id: int, status: str, now: datetime, mode: str | None
) -> Claim:
    """Give the (waiting) enrollment a seat if the rules allow, setting its status; all inside the caller's
    transaction. PostgreSQL with a fast `mode` (see fast_mode): one statement claims quota + session seat and upgrades the row, so the
    session row is locked only from here to the commit. Elsewhere: lock, decide (seats.py), conditional UPDATEs."""
    today = now.astimezone(LOCAL_TZ).date()
    if mode is not None and not db.is_sqlite(db.current_engine()):
        sql = _CLAIM_QUOTA if mode == "quota" else _CLAIM_OPEN
        args: list[Any] = [session_id, county_id] if mode == "quota" else []
        args += [
            session_id,
            status,
            mode == "quota",
            now if status == EnrollmentStatus.CONFIRMED else None,
            enrollment_id,
            session_id,
        ]
        row = dict((await db.fetch(sql, *args))[0])
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
        await db.fetch(
            'UPDATE "enrollment" SET "status" = {}, "holds_seat" = {}, "holds_quota" = {}, "waitlist_seq" = NULL, '
            '"confirmed_at" = {} WHERE "id" = {}',
            status,
            True,
            decision.quota,
            now if status == EnrollmentStatus.CONFIRMED else None,
            enrollment_id,
        )
    return Claim(decision.seat, decision.quota, locked)

"""The enrollment package's SQL outside Piccolo, one function per statement (the seat claims, whose statements are
the hot path's locking protocol, stay beside their rules in seating.py). Rows come back as dicts; the use-case
modules turn them into read models. Values are always bound parameters (`{}`), never formatted into the text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from training import db
from training.enrollment import snapshots
from training.enrollment.states import EnrollmentStatus

Row = dict[str, Any]


async def teacher_and_enrollment(session_id: int, id_hash: str) -> Row | None:
    """The teacher with this keyed ID hash and her enrollment in the session (enrollment_id None: none yet)."""
    rows = await db.fetch(
        'SELECT t."id", t."phone_hash", t."county", t."name", e."id" AS enrollment_id, e."status", '
        'e."waitlist_seq", e."manual_code" '
        'FROM "teacher" t LEFT JOIN "enrollment" e ON e."teacher" = t."id" AND e."session" = {} '
        'WHERE t."id_hash" = {}',
        session_id,
        id_hash,
    )
    return dict(rows[0]) if rows else None


async def insert_enrollment(values: dict[str, Any]) -> int:
    inserted = await db.insert("enrollment", values)
    assert inserted is not None
    return inserted


async def queue_by_arrival(enrollment_id: int) -> None:
    """A teacher left waiting queues by id, i.e. arrival order."""
    await db.fetch('UPDATE "enrollment" SET "waitlist_seq" = "id" WHERE "id" = {}', enrollment_id)


async def first_waiting_per_county(session_id: int) -> list[Row]:
    """The head of each county's waiting list in the session (id, county, waitlist_seq)."""
    rows = await db.fetch(
        'SELECT e."id", e."county", e."waitlist_seq" FROM "enrollment" e JOIN ('
        '  SELECT "county", MIN("waitlist_seq") AS seq FROM "enrollment"'
        '  WHERE "session" = {} AND "status" = {} GROUP BY "county"'
        ') f ON f."county" = e."county" AND f.seq = e."waitlist_seq" '
        'WHERE e."session" = {} AND e."status" = {}',
        session_id,
        EnrollmentStatus.WAITLISTED,
        session_id,
        EnrollmentStatus.WAITLISTED,
    )
    return [dict(r) for r in rows]


async def sessions_with_free_seats_and_a_queue() -> list[int]:
    rows = await db.fetch(
        'SELECT s."id" FROM "training_session" s WHERE s."status" = {} AND s."mode" <> {} '
        'AND s."seats_taken" < s."capacity" AND EXISTS (SELECT 1 FROM "enrollment" e '
        'WHERE e."session" = s."id" AND e."status" = {})',
        "published",
        "nomination",
        EnrollmentStatus.WAITLISTED,
    )
    return [int(r["id"]) for r in rows]


async def valid_certificate_serial(enrollment_id: int) -> str | None:
    rows = await db.fetch(
        'SELECT "serial" FROM "certificate" WHERE "enrollment" = {} AND "revoked_at" IS NULL', enrollment_id
    )
    return str(rows[0]["serial"]) if rows else None


async def revoke_certificate(serial: str, reason: str, at: datetime) -> Row:
    """Revoke the certificate; returns its session_title and revision (for the holder's notice)."""
    rows = await db.fetch(
        'UPDATE "certificate" SET "revoked_at" = {}, "revoke_reason" = {} WHERE "serial" = {} '
        'RETURNING "session_title", "revision"',
        at,
        reason,
        serial,
    )
    return dict(rows[0])


async def eligible_counties(session_id: int) -> list[Row]:
    """Counties of the session with their quota numbers, ordered by code."""
    rows = await db.fetch(
        'SELECT c."id", c."code", c."name", c."province", q."quota", q."seats_taken" FROM "county_quota" q '
        'JOIN "county" c ON c."id" = q."county" WHERE q."session" = {} ORDER BY c."code"',
        session_id,
    )
    return [dict(r) for r in rows]


# The name and school as the enrollment's snapshot keeps them (snapshots.py). Assembled from constants only.
_VIEW = (
    'SELECT e."id", e."status", e."waitlist_seq", e."manual_code", e."created_at", e."session", '  # noqa: S608
    '(SELECT MIN(r."serial") FROM "certificate" r WHERE r."enrollment" = e."id" AND r."revoked_at" IS NULL) '
    "AS certificate_serial, "
    'e."token_nonce", e."nominee_answer", t."erased", '
    f"{snapshots.select_sql()}, "
    't."phone_masked", t."id_masked", c."name" AS county_name '
    'FROM "enrollment" e JOIN "teacher" t ON t."id" = e."teacher" JOIN "county" c ON c."id" = e."county" '
    'WHERE e."id" = {}'
)


async def enrollment_view(enrollment_id: int) -> Row | None:
    """What a teacher's own page shows of an enrollment (masked identity, the snapshot's name and school)."""
    rows = await db.fetch(_VIEW, enrollment_id)
    return dict(rows[0]) if rows else None

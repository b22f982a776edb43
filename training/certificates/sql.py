"""Every statement of the certificates package that leaves Piccolo, in one place. Both engines."""

from __future__ import annotations

from datetime import datetime

from training import db

ATTENDED_HOURS = (
    'SELECT ci."enrollment" AS enrollment, SUM(b."hours") AS hours FROM "attendance" ci '
    'JOIN "block" b ON b."id" = ci."block" '
    'WHERE b."session" = {} AND b."cancelled" = {} GROUP BY ci."enrollment"'
)

# A no-op UPDATE: it takes the session row's lock so concurrent claimers queue behind it.
LOCK_COUNTER = (
    'UPDATE "training_session" SET "certificates_issued" = "certificates_issued" '
    'WHERE "id" = {} RETURNING "certificates_issued"'
)

ADVANCE_COUNTER = (
    'UPDATE "training_session" SET "certificates_issued" = "certificates_issued" + {} '
    'WHERE "id" = {} AND "certificates_issued" = {} RETURNING "certificates_issued"'
)

MARK_RENDERED = (
    'UPDATE "certificate" SET "file_path" = {} '
    'WHERE "id" = {} AND "revision" = {} AND "file_path" = {} RETURNING "enrollment"'
)

REISSUE = (
    'UPDATE "certificate" SET "revision" = {}, "teacher_name" = {}, "county_name" = {}, '
    '"school_name" = {}, "session_title" = {}, "session_dates" = {}, "hours" = {}, '
    '"revoked_at" = NULL, "revoke_reason" = {}, "reissued_at" = {}, "file_path" = {} WHERE "id" = {}'
)


async def attended_hours(session_id: int) -> dict[int, float]:
    """Hours of the non-cancelled blocks each enrollment attended: the `attendance` view (check-ins not voided,
    late marks, excused marks when the session's rule counts them)."""
    rows = await db.fetch(ATTENDED_HOURS, session_id, False)
    return {int(r["enrollment"]): float(r["hours"] or 0.0) for r in rows}


async def lock_counter(session_id: int) -> int | None:
    """The session's certificate counter, its row locked until the transaction ends; None if no such session."""
    rows = await db.fetch(LOCK_COUNTER, session_id)
    return int(rows[0]["certificates_issued"]) if rows else None


async def advance_counter(session_id: int, by: int, expected: int) -> bool:
    """Move the counter by `by` if it still stands at `expected`."""
    return bool(await db.fetch(ADVANCE_COUNTER, by, session_id, expected))


async def mark_rendered(certificate_id: int, revision: int, file_path: str) -> bool:
    """Record this revision's file unless another run already did."""
    return bool(await db.fetch(MARK_RENDERED, file_path, certificate_id, revision, ""))


async def write_reissue(
    certificate_id: int,
    revision: int,
    snapshot: tuple[str, str, str, str, str, float],
    reissued_at: datetime,
) -> None:
    """Bring a revoked certificate back as a new revision: snapshot = (teacher_name, county_name, school_name,
    session_title, session_dates, hours); the file is rendered again."""
    await db.fetch(REISSUE, revision, *snapshot, "", reissued_at, "", certificate_id)

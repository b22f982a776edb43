"""Every statement of the ledger package that leaves Piccolo, in one place. Both engines."""

from __future__ import annotations

from typing import Any

from training import db
from training.enrollment import snapshots
from training.enrollment.states import EnrollmentStatus

# The enrollment's snapshot columns (what she was that year), her masked and encrypted ID number, and the valid
# certificate if any; the enrollment status is a parameter (confirmed).
SESSION_ROWS = """
SELECT e.id AS e_id, e.teacher AS teacher_id, {snapshot}, t.id_masked AS id_masked,
       t.id_encrypted AS id_encrypted, c.name AS county, s.name AS school_ref,
       ts.title AS training, ts.starts_on AS starts_on, ts.ends_on AS ends_on,
       cert.serial AS certificate
FROM "enrollment" AS e
JOIN "teacher" AS t ON t.id = e.teacher
JOIN "county" AS c ON c.id = e.county
JOIN "training_session" AS ts ON ts.id = e.session
LEFT JOIN "school" AS s ON s.id = e.school
LEFT JOIN "certificate" AS cert ON cert.enrollment = e.id AND cert.revoked_at IS NULL
WHERE e.session = {{}} AND e.status = {{}}
"""

# A teacher's trainings in a status (confirmed), oldest first; `only` (an enrollment id, 0 for all) narrows it to one.
TEACHER_TRAININGS = (
    "SELECT e.id AS e_id, e.session AS session_id, ts.year AS year, ts.title AS title, ts.starts_on AS starts_on, "
    'ts.ends_on AS ends_on, cert.serial AS certificate FROM "enrollment" AS e '
    'JOIN "training_session" AS ts ON ts.id = e.session '
    'LEFT JOIN "certificate" AS cert ON cert.enrollment = e.id AND cert.revoked_at IS NULL '
    "WHERE e.teacher = {} AND e.status = {} AND (e.id = {} OR {} = 0) ORDER BY ts.starts_on, e.id"
)


async def session_rows(session_id: int) -> list[dict[str, Any]]:
    return await db.fetch(
        SESSION_ROWS.format(snapshot=snapshots.select_sql("e", "t")), session_id, EnrollmentStatus.CONFIRMED
    )


async def teacher_trainings(teacher_id: int, only: int = 0) -> list[dict[str, Any]]:
    return await db.fetch(TEACHER_TRAININGS, teacher_id, EnrollmentStatus.CONFIRMED, only, only)

"""Every statement of the hosting package that leaves Piccolo, in one place. Both engines."""

from __future__ import annotations

from typing import Any

from training import db
from training.enrollment.states import EnrollmentStatus
from training.programmes.states import ProgrammeKind

COHORT_COLUMNS = (
    "SELECT s.id AS id, s.title AS title, s.year AS year, s.starts_on AS starts_on, s.ends_on AS ends_on, "
    "s.host_city AS host_city, s.host_institution AS host_institution, s.status AS status, "
    "(SELECT COUNT(*) FROM enrollment e WHERE e.session = s.id AND e.status = {}) AS teachers, "
    "(SELECT COUNT(*) FROM host_pairing hp JOIN enrollment e ON e.id = hp.enrollment "
    "WHERE e.session = s.id AND e.status = {}) AS paired "
    'FROM "training_session" AS s JOIN "programme" AS p ON p.id = s.programme WHERE p.kind = {} '
)

# The cohort's confirmed teachers with the enrollment's snapshot (what she was that year) and her pairing.
TEACHERS = """
SELECT e.id AS enrollment_id, e.teacher AS teacher_id, e.teacher_name AS name, c.name AS county,
       e.school_name AS school, e.subject AS subject, e.grade_band AS grade_band, e.teacher_title AS title,
       hp.id AS pairing_id, hp.source AS source, m.id AS mentor_id, m.name AS mentor,
       m.subject AS mentor_subject, m.grade_band AS mentor_band, hs.id AS host_school_id,
       hs.name AS host_school, hs.district AS host_district
FROM "enrollment" AS e
JOIN "county" AS c ON c.id = e.county
LEFT JOIN "host_pairing" AS hp ON hp.enrollment = e.id
LEFT JOIN "host_mentor" AS m ON m.id = hp.mentor
LEFT JOIN "host_school" AS hs ON hs.id = hp.school
WHERE e.session = {} AND e.status = {}
ORDER BY c.code, e.teacher_name, e.id
"""

# A city's mentors with the number of this cohort's teachers already paired with each.
MENTORS = """
SELECT m.id AS mentor_id, m.name AS name, m.subject AS subject, m.grade_band AS grade_band,
       m.capacity AS capacity, hs.id AS school_id, hs.name AS school, hs.district AS district,
       (SELECT COUNT(*) FROM host_pairing hp JOIN enrollment e ON e.id = hp.enrollment
        WHERE hp.mentor = m.id AND e.session = {} AND e.status = {}) AS taken
FROM "host_mentor" AS m JOIN "host_school" AS hs ON hs.id = m.school
WHERE hs.city = {}
ORDER BY hs.name, m.subject, m.name, m.id
"""

SCHOOLS = """
SELECT hs.id AS school_id, hs.city AS city, hs.name AS school, hs.district AS district,
       m.id AS mentor_id, m.name AS mentor, m.subject AS subject, m.grade_band AS grade_band,
       m.capacity AS capacity
FROM "host_school" AS hs LEFT JOIN "host_mentor" AS m ON m.school = hs.id
ORDER BY hs.city, hs.name, m.subject, m.name
"""

CERTIFICATES = """
SELECT cert.enrollment AS enrollment_id, cert.serial AS serial
FROM "certificate" AS cert JOIN "enrollment" AS e ON e.id = cert.enrollment
WHERE e.session = {} AND cert.revoked_at IS NULL
"""


async def cohorts(host_city: str | None) -> list[dict[str, Any]]:
    """Exchange cohorts, newest first; of one host city when `host_city` is given."""
    confirmed = EnrollmentStatus.CONFIRMED
    if host_city is None:
        return await db.fetch(
            COHORT_COLUMNS + "ORDER BY s.starts_on DESC, s.id DESC",
            confirmed,
            confirmed,
            ProgrammeKind.EXCHANGE,
        )
    return await db.fetch(
        COHORT_COLUMNS + "AND s.host_city = {} ORDER BY s.starts_on DESC, s.id DESC",
        confirmed,
        confirmed,
        ProgrammeKind.EXCHANGE,
        host_city,
    )


async def cohort(session_id: int) -> dict[str, Any] | None:
    confirmed = EnrollmentStatus.CONFIRMED
    return await db.fetch_one(
        COHORT_COLUMNS + "AND s.id = {}", confirmed, confirmed, ProgrammeKind.EXCHANGE, session_id
    )


async def teachers(session_id: int) -> list[dict[str, Any]]:
    return await db.fetch(TEACHERS, session_id, EnrollmentStatus.CONFIRMED)


async def mentors(session_id: int, city: str) -> list[dict[str, Any]]:
    return await db.fetch(MENTORS, session_id, EnrollmentStatus.CONFIRMED, city)


async def schools() -> list[dict[str, Any]]:
    return await db.fetch(SCHOOLS)


async def certificates(session_id: int) -> dict[int, str]:
    return {int(r["enrollment_id"]): str(r["serial"]) for r in await db.fetch(CERTIFICATES, session_id)}

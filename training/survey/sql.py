"""The survey's SQL outside Piccolo (training/db vocabulary)."""

from __future__ import annotations

from typing import Any

from training import db


async def enrollment_for_survey(enrollment_id: int) -> dict[str, Any] | None:
    return await db.fetch_one(
        'SELECT e."id", e."session", e."status", e."county", t."erased", '
        'COALESCE(NULLIF(e."teacher_name", \'\'), t."name") AS "name" '
        'FROM "enrollment" e JOIN "teacher" t ON t."id" = e."teacher" WHERE e."id" = {}',
        enrollment_id,
    )


async def invited_by_county(session_id: int) -> list[dict[str, Any]]:
    """Confirmed enrollments per county (the people a survey is for)."""
    return await db.fetch(
        'SELECT c."name" AS "county", COUNT(*) AS "n" FROM "enrollment" e JOIN "county" c ON c."id" = e."county" '
        'WHERE e."session" = {} AND e."status" = \'confirmed\' GROUP BY c."name"',
        session_id,
    )


async def responded_count(survey_id: int) -> int:
    row = await db.fetch_one('SELECT COUNT(*) AS "n" FROM "survey_responded" WHERE "survey" = {}', survey_id)
    return int(row["n"]) if row else 0


async def responses(survey_id: int) -> list[dict[str, Any]]:
    """Every response with its county's name and, for named surveys, the teacher (ordered by county, name; the
    anonymous ones by their random id, which says nothing)."""
    return await db.fetch(
        'SELECT r."answers", r."submitted_at", COALESCE(c."name", \'\') AS "county", '
        'COALESCE(NULLIF(e."teacher_name", \'\'), t."name", \'\') AS "name", '
        'COALESCE(e."school_name", \'\') AS "school" '
        'FROM "survey_response" r LEFT JOIN "county" c ON c."id" = r."county" '
        'LEFT JOIN "enrollment" e ON e."id" = r."enrollment" LEFT JOIN "teacher" t ON t."id" = e."teacher" '
        'WHERE r."survey" = {} ORDER BY c."name", 4, r."id"',
        survey_id,
    )


async def earlier_surveys(session_id: int) -> list[dict[str, Any]]:
    """Surveys of earlier sessions of the same programme, newest first (what "copy last year's" offers)."""
    return await db.fetch(
        'SELECT s."id", s."title", ts."title" AS "session_title", ts."year", '
        '(SELECT COUNT(*) FROM "survey_question" q WHERE q."survey" = s."id") AS "questions" '
        'FROM "survey" s JOIN "training_session" ts ON ts."id" = s."session" '
        'JOIN "training_session" me ON me."id" = {} '
        'WHERE ts."programme" = me."programme" AND ts."starts_on" < me."starts_on" '
        'ORDER BY ts."starts_on" DESC',
        session_id,
    )


async def sessions_with_surveys() -> list[dict[str, Any]]:
    return await db.fetch(
        'SELECT ts."id", ts."title", ts."year", ts."starts_on", s."id" AS "survey_id", s."status" AS "survey_status", '
        '(SELECT COUNT(*) FROM "survey_responded" m WHERE m."survey" = s."id") AS "responded" '
        'FROM "training_session" ts LEFT JOIN "survey" s ON s."session" = ts."id" '
        'ORDER BY ts."starts_on" DESC'
    )


async def certificate_rule(enrollment_id: int) -> dict[str, Any] | None:
    """The enrollment's session, when that session's survey is published and asks for a response before the
    certificate; None otherwise."""
    return await db.fetch_one(
        'SELECT e."session" FROM "enrollment" e JOIN "survey" s ON s."session" = e."session" '
        'WHERE e."id" = {} AND s."required_for_certificate" AND s."status" = \'published\'',
        enrollment_id,
    )

"""The exchange domain's statements outside Piccolo, one function each (training/db vocabulary, both engines).

A cohort is small (tens of teachers, a few groups, hotels and rooms): reads take the whole cohort and callers
filter, which keeps every statement free of variable-length IN lists."""

from __future__ import annotations

from typing import Any

from training import db

Row = dict[str, Any]


async def session_kind(session_id: int) -> Row | None:
    """The session with its programme's kind (exchange cohorts only have travel and rooms)."""
    return await db.fetch_one(
        'SELECT s."id", s."title", s."year", s."starts_on", s."ends_on", s."host_city", p."kind" '
        'FROM "training_session" s JOIN "programme" p ON p."id" = s."programme" WHERE s."id" = {}',
        session_id,
    )


async def exchange_sessions() -> list[Row]:
    return await db.fetch(
        'SELECT s."id", s."title", s."year", s."starts_on", s."ends_on", s."host_city" '
        'FROM "training_session" s JOIN "programme" p ON p."id" = s."programme" '
        'WHERE p."kind" = \'exchange\' ORDER BY s."starts_on" DESC, s."id" DESC'
    )


async def members(session_id: int) -> list[Row]:
    """The cohort's selected teachers (confirmed enrollments) with what travel and rooms need of them."""
    return await db.fetch(
        'SELECT e."id", e."teacher_name", e."school_name", e."county", c."name" AS county_name, '
        't."id_encrypted", t."gender", t."erased" '
        'FROM "enrollment" e JOIN "teacher" t ON t."id" = e."teacher" JOIN "county" c ON c."id" = e."county" '
        'WHERE e."session" = {} AND e."status" = \'confirmed\' '
        'ORDER BY c."name", e."teacher_name", e."id"',
        session_id,
    )


async def groups(session_id: int) -> list[Row]:
    return await db.fetch(
        'SELECT "id", "name", "note" FROM "exchange_travel_group" WHERE "session" = {} ORDER BY "name", "id"',
        session_id,
    )


async def travellers(session_id: int) -> list[Row]:
    return await db.fetch(
        'SELECT t."id", t."enrollment", t."travel_group", t."own_legs", t."note", g."name" AS group_name '
        'FROM "exchange_traveller" t LEFT JOIN "exchange_travel_group" g ON g."id" = t."travel_group" '
        'WHERE t."session" = {}',
        session_id,
    )


async def legs(session_id: int) -> list[Row]:
    return await db.fetch(
        'SELECT "id", "travel_group", "traveller", "position", "mode", "number", "from_station", "to_station", '
        '"departs_at", "arrives_at", "meet_name", "meet_phone_encrypted", "meet_phone_masked" '
        'FROM "exchange_travel_leg" WHERE "session" = {} ORDER BY "position", "departs_at", "id"',
        session_id,
    )


async def hotels(session_id: int) -> list[Row]:
    return await db.fetch(
        'SELECT "id", "name", "address" FROM "exchange_hotel" WHERE "session" = {} ORDER BY "name", "id"',
        session_id,
    )


async def rooms(session_id: int) -> list[Row]:
    return await db.fetch(
        'SELECT r."id", r."hotel", r."number", r."capacity", h."name" AS hotel_name, h."address" AS hotel_address '
        'FROM "exchange_room" r JOIN "exchange_hotel" h ON h."id" = r."hotel" WHERE h."session" = {} '
        'ORDER BY h."name", h."id", r."number", r."id"',
        session_id,
    )


async def occupancies(session_id: int) -> list[Row]:
    return await db.fetch(
        'SELECT o."id", o."room", o."enrollment", e."teacher_name" FROM "exchange_occupancy" o '
        'JOIN "enrollment" e ON e."id" = o."enrollment" WHERE o."session" = {} ORDER BY e."teacher_name", o."id"',
        session_id,
    )

"""training.db's vocabulary (fetch, fetch_one, execute, insert, transaction) on whichever engine the run uses."""

from __future__ import annotations

from datetime import date

import pytest

from training import db
from training.people.tables import County

_COUNTY = {"code": "510823", "name": "剑阁县", "province": "四川省", "prefecture": "广元市", "aided": True}


async def test_insert_returns_the_new_id_and_fetch_returns_dicts(adb: object) -> None:
    first = await db.insert("county", _COUNTY)
    second = await db.insert("county", {**_COUNTY, "code": "510824", "name": "苍溪县"})
    assert isinstance(first, int) and isinstance(second, int) and second > first
    rows = await db.fetch('SELECT "id", "code", "aided" FROM "county" ORDER BY "id"')
    assert rows == [
        {"id": first, "code": "510823", "aided": True},
        {"id": second, "code": "510824", "aided": True},
    ]
    assert all(type(row) is dict for row in rows)


async def test_insert_skipped_by_on_conflict_returns_none(adb: object) -> None:
    assert await db.insert("county", _COUNTY) is not None
    assert await db.insert("county", _COUNTY, on_conflict="ON CONFLICT DO NOTHING") is None
    assert await County.count() == 1


async def test_parameters_are_bound_in_order_never_formatted(adb: object) -> None:
    tricky = "it's {} ? $1 -- ;"
    county = await db.insert("county", {**_COUNTY, "name": tricky})
    row = await db.fetch_one(
        'SELECT "name", CAST({} AS INTEGER) AS "number", {} AS "nothing" FROM "county" WHERE "id" = {} AND "code" = {}',
        7,
        None,
        county,
        "510823",
    )
    assert row == {"name": tricky, "number": 7, "nothing": None}


async def test_doubled_braces_are_literal_braces(adb: object) -> None:
    row = await db.fetch_one('SELECT \'{{"a": 1}}\' AS "text", CAST({} AS INTEGER) AS "n"', 2)
    assert row == {"text": '{"a": 1}', "n": 2}


async def test_fetch_one_gives_none_without_a_row_and_execute_gives_nothing(adb: object) -> None:
    assert await db.fetch_one('SELECT "id" FROM "county" WHERE "code" = {}', "000000") is None
    county = await db.insert("county", _COUNTY)
    await db.execute('UPDATE "county" SET "name" = {} WHERE "id" = {}', "新名", county)
    assert await db.fetch_one('SELECT "name" FROM "county" WHERE "id" = {}', county) == {"name": "新名"}


async def test_a_write_with_returning_gives_its_rows(adb: object) -> None:
    county = await db.insert("county", _COUNTY)
    rows = await db.fetch(
        'UPDATE "county" SET "aided" = {} WHERE "id" = {} RETURNING "id", "aided"', False, county
    )
    assert rows == [{"id": county, "aided": False}]


async def test_dates_travel_both_ways(adb: object) -> None:
    programme = await db.insert("programme", {"slug": "summer", "name": "暑期"})
    session = await db.insert(
        "training_session",
        {
            "programme": programme,
            "year": 2026,
            "title": "第1期",
            "starts_on": date(2026, 7, 15),
            "ends_on": date(2026, 7, 18),
        },
    )
    row = await db.fetch_one(
        'SELECT "starts_on", "ends_on" FROM "training_session" WHERE "id" = {} AND "starts_on" >= {}',
        session,
        date(2026, 7, 1),
    )
    assert row == {"starts_on": date(2026, 7, 15), "ends_on": date(2026, 7, 18)}


async def test_transaction_commits_at_the_end(adb: object) -> None:
    async with db.transaction():
        county = await db.insert("county", _COUNTY)
        # inside, the transaction's own writes are visible
        assert await db.fetch_one('SELECT "code" FROM "county" WHERE "id" = {}', county) == {"code": "510823"}
    assert await db.fetch('SELECT "id" FROM "county"') == [{"id": county}]


async def test_transaction_rolls_back_on_error_every_way_of_writing(adb: object) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction():
            await db.insert("county", _COUNTY)
            await db.execute(
                'INSERT INTO "county" ("code", "name", "province", "prefecture", "aided") VALUES ({}, {}, {}, {}, {})',
                "510824",
                "苍溪县",
                "四川省",
                "广元市",
                True,
            )
            await County.insert(County(code="510825", name="旺苍县", province="四川省", prefecture="广元市"))
            raise RuntimeError("boom")
    assert await db.fetch('SELECT "id" FROM "county"') == []
    assert await County.count() == 0


async def test_a_failing_statement_rolls_the_transaction_back(adb: object) -> None:
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with db.transaction():
            await db.insert("county", {**_COUNTY, "code": "510899"})
            await db.insert("county", _COUNTY)
            await db.insert("county", _COUNTY)  # the same division code twice
    assert await County.count() == 0


async def test_a_nested_transaction_joins_the_outer_one(adb: object) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            async with db.transaction():
                await db.insert("county", _COUNTY)
            raise RuntimeError("outer fails")
    assert await County.count() == 0
    async with db.transaction():
        async with db.transaction():
            await db.insert("county", _COUNTY)
    assert await County.count() == 1


async def test_writes_outside_a_transaction_are_seen_by_the_next_read(adb: object) -> None:
    for number in range(5):
        await db.insert("county", {**_COUNTY, "code": f"51082{number}"})
        row = await db.fetch_one('SELECT COUNT(*) AS "n" FROM "county"')
        assert row is not None and row["n"] == number + 1

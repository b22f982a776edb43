"""The fact table stays equal to the base tables: after the demo load, under concurrent check-ins, and
`training stats rebuild` / `training stats` on the command line."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.kit.sync import run_sync
from training import db
from training.checkin.tables import CheckIn
from training.cli import main
from training.config import Settings
from training.stats import schema

COLUMNS = "enrollment, session, teacher, county, school, status, year, programme, subject, checkins, hours, certified"


async def facts() -> list[dict[str, Any]]:
    await schema.catch_up()  # PostgreSQL: check-ins queue their refresh; readers catch up first
    return [dict(r) for r in await db.fetch(f"SELECT {COLUMNS} FROM stats_fact ORDER BY enrollment")]


def test_triggers_keep_the_same_table_a_full_rebuild_makes(demo: Any) -> None:
    kept = run_sync(facts())
    assert len(kept) == demo.counts["enrollments"]
    assert sum(f["checkins"] for f in kept) == demo.counts["check-ins"]
    assert sum(f["certified"] for f in kept) == demo.counts["certificates"]
    assert run_sync(schema.rebuild()) == len(kept)
    assert run_sync(facts()) == kept


def test_concurrent_check_ins_of_one_enrollment_are_all_counted(engine: Any) -> None:
    """Each check-in commits in its own transaction at the same time; the refresh locks the fact row and
    recounts with a fresh snapshot, so none is lost (on SQLite writers queue; on PostgreSQL this is the race)."""
    from tests.stats.world import BaseRows, write

    world = BaseRows(
        counties=[{"id": 1, "aided": True}],
        programmes=[{"id": 1, "kind": "summer"}],
        sessions=[{"id": 1, "programme": 1, "year": 2019}],
        blocks=[{"id": i, "session": 1, "hours": 3.0, "cancelled": False} for i in range(1, 13)],
        schools=[{"id": 1, "county": 1, "level": "primary"}],
        teachers=[{"id": 1, "subject": "语文", "county": 1}],
        enrollments=[{"id": 1, "session": 1, "teacher": 1, "county": 1, "school": 1, "status": "confirmed"}],
        check_ins=[],
        certificates=[],
    )

    async def setup() -> None:
        async with db.transaction():
            await write(world)

    async def scan(block: int) -> None:
        async with db.transaction():
            await CheckIn.insert(
                CheckIn(enrollment=1, block=block, scanned_at=datetime.now(UTC), client_id=f"race-{block}")
            )
            await asyncio.sleep(0.01)  # keep the transactions open together

    async def race() -> list[dict[str, Any]]:
        await asyncio.gather(*(scan(b) for b in range(1, 13)))
        return await facts()

    run_sync(setup())
    (row,) = run_sync(race())
    assert row["checkins"] == 12 and row["hours"] == 36.0


def run_cli(argv: list[str]) -> None:
    """`training …` as the shell runs it; in a thread, since a browser test may hold this thread's event loop."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            main(argv)
        except SystemExit as exit_:
            outcome["code"] = exit_.code

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert outcome.get("code") == 0, outcome


def test_cli_prints_the_dashboard_tables(
    settings: Settings, demo: Any, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TRAINING_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TRAINING_DATA_DIR", str(settings.data_dir))
    run_cli(["stats", "--view", "counties"])
    run_cli(["stats", "--view", "headline", "--programme", "summer"])
    out = capsys.readouterr().out
    assert "== 分县汇总" in out and "剑阁县" in out and "510823" in out
    assert "== 总体数字" in out
    line = next(x for x in out.splitlines() if x.startswith("举办班次 ") or x.startswith("举办班次  "))
    assert line.split()[-1] == "9"
    run_cli(["stats", "rebuild"])
    assert f"statistics rebuilt: {demo.counts['enrollments']} enrollments" in capsys.readouterr().out


def test_postgresql_queues_refreshes_and_a_limited_catch_up_leaves_the_rest_for_the_reader(
    engine: Any,
) -> None:
    """On PostgreSQL check-ins and enrollments only queue their enrollment (the scan stays fast); the background
    task refreshes at most `limit` per round, and any reader catches up on the rest before it reads."""
    if db.is_sqlite(engine):
        pytest.skip("SQLite refreshes in the writer's transaction")
    from tests.stats.world import BaseRows, write

    world = BaseRows(
        counties=[{"id": 1, "aided": True}],
        programmes=[{"id": 1, "kind": "summer"}],
        sessions=[{"id": 1, "programme": 1, "year": 2019}],
        blocks=[{"id": 1, "session": 1, "hours": 3.0, "cancelled": False}],
        schools=[{"id": 1, "county": 1, "level": "primary"}],
        teachers=[{"id": i, "subject": "语文", "county": 1} for i in range(1, 4)],
        enrollments=[
            {"id": i, "session": 1, "teacher": i, "county": 1, "school": 1, "status": "confirmed"}
            for i in range(1, 4)
        ],
        check_ins=[],
        certificates=[],
    )

    async def scenario() -> tuple[int, int, int, list[dict[str, Any]]]:
        async with db.transaction():
            await write(world)
        for enrollment in (1, 2, 3):
            await CheckIn.insert(
                CheckIn(
                    enrollment=enrollment, block=1, scanned_at=datetime.now(UTC), client_id=f"q-{enrollment}"
                )
            )
        queued = len(await db.fetch("SELECT DISTINCT enrollment FROM stats_pending"))
        first_round = await schema.catch_up(limit=2)
        rest = await schema.catch_up()
        return queued, first_round, rest, await facts()

    queued, first_round, rest, rows = run_sync(scenario())
    assert (queued, first_round, rest) == (3, 2, 1)
    assert [r["checkins"] for r in rows] == [1, 1, 1] and [r["hours"] for r in rows] == [3.0, 3.0, 3.0]
    assert run_sync(db.fetch("SELECT COUNT(*) AS n FROM stats_pending"))[0]["n"] == 0


def test_deleting_an_enrollment_removes_its_fact_row_once_a_reader_catches_up(engine: Any) -> None:
    from tests.stats.world import BaseRows, write

    world = BaseRows(
        counties=[{"id": 1, "aided": True}],
        programmes=[{"id": 1, "kind": "summer"}],
        sessions=[{"id": 1, "programme": 1, "year": 2019}],
        blocks=[{"id": 1, "session": 1, "hours": 3.0, "cancelled": False}],
        schools=[{"id": 1, "county": 1, "level": "primary"}],
        teachers=[{"id": 1, "subject": "语文", "county": 1}],
        enrollments=[
            {"id": 1, "session": 1, "teacher": 1, "county": 1, "school": None, "status": "confirmed"}
        ],
        check_ins=[],
        certificates=[],
    )

    async def scenario() -> tuple[int, int]:
        async with db.transaction():
            await write(world)
        before = len(await facts())
        await db.fetch('DELETE FROM "enrollment" WHERE id = 1')
        return before, len(await facts())

    assert run_sync(scenario()) == (1, 0)


def test_postgresql_queues_no_refresh_for_an_enrollment_change_facts_do_not_read(engine: Any) -> None:
    """A registration's waiting-list number and timestamps are not statistics: only a change of a column the fact
    row reads (here the status) queues the enrollment again."""
    if db.is_sqlite(engine):
        pytest.skip("SQLite refreshes in the writer's transaction")
    from tests.stats.world import BaseRows, write

    world = BaseRows(
        counties=[{"id": 1, "aided": True}],
        programmes=[{"id": 1, "kind": "summer"}],
        sessions=[{"id": 1, "programme": 1, "year": 2019}],
        blocks=[{"id": 1, "session": 1, "hours": 3.0, "cancelled": False}],
        schools=[{"id": 1, "county": 1, "level": "primary"}],
        teachers=[{"id": 1, "subject": "语文", "county": 1}],
        enrollments=[{"id": 1, "session": 1, "teacher": 1, "county": 1, "school": 1, "status": "waitlisted"}],
        check_ins=[],
        certificates=[],
    )

    async def queued_after(sql: str) -> int:
        await schema.catch_up()
        await db.fetch(sql)
        return len(await db.fetch("SELECT enrollment FROM stats_pending"))

    async def scenario() -> tuple[int, int]:
        async with db.transaction():
            await write(world)
        quiet = await queued_after('UPDATE "enrollment" SET "waitlist_seq" = "id", "updated_at" = now()')
        counted = await queued_after('UPDATE "enrollment" SET "status" = \'confirmed\'')
        return quiet, counted

    assert run_sync(scenario()) == (0, 1)

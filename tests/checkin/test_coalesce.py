"""PostgreSQL: scans arriving together share one statement; each still gets exactly its own answer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.checkin.test_redeem import LI, WANG, scan
from tests.checkin.world import make_world, today_local
from tests.kit.database import ENGINE_NAME
from training.checkin import coalesce, scans
from training.checkin.tables import CheckIn

pytestmark = pytest.mark.skipif(ENGINE_NAME != "postgres", reason="scans are coalesced on PostgreSQL only")


async def test_a_crowd_of_scans_shares_statements_and_each_gets_its_own_answer(adb: Any) -> None:
    world = await make_world(confirmed=30, extra_statuses=("cancelled", "waitlisted"))
    confirmed = world.with_status("confirmed")
    block = world.blocks[0]
    batcher = coalesce.batcher()
    batches_before = batcher.batches
    crowd = [
        *(scan(p.token, block) for p in confirmed),  # 30 first scans
        *(scan(p.manual_code, block) for p in confirmed[:10]),  # the same people by manual code, same moment
        scan(world.with_status("cancelled")[0].token, block),
        scan(world.with_status("waitlisted")[0].manual_code, block),
        scan(confirmed[0].token[:-2] + "AA", block),  # altered: never reaches the database
        scan("ZZZZZZZZ", block),  # nobody's code
        scan(confirmed[11].token, world.other_block),  # enrolled in this session, scanned at another's block
    ]
    results = await asyncio.gather(*(scans.redeem(s, WANG if i % 2 else LI) for i, s in enumerate(crowd)))

    statuses = [r.status for r in results]
    firsts = statuses[:30]
    seconds = statuses[30:40]
    # Each of the ten people scanned twice: one of the two scans won, the other was told who won and when.
    for person in range(10):
        assert sorted([firsts[person], seconds[person]]) == ["already_checked_in", "ok"]
    assert firsts[10:] == ["ok"] * 20
    assert statuses[40:] == ["cancelled", "waitlisted", "invalid", "invalid", "wrong_session"]
    assert await CheckIn.count() == 30
    for result in results[:40]:
        if result.status == "already_checked_in":
            assert result.by in {"王老师", "李老师"} and result.at is not None
    # The point of it: far fewer statements than scans (the first leaves alone, the rest share).
    statements = batcher.batches - batches_before
    assert 1 <= statements < 20, statements


async def test_the_same_client_id_twice_at_once_is_one_check_in_and_a_replay(adb: Any) -> None:
    world = await make_world(confirmed=2)
    person = world.people[0]
    client_id = uuid.uuid4().hex
    first, retry = await asyncio.gather(
        scans.redeem(scan(person.token, world.blocks[0], client=client_id), WANG),
        scans.redeem(scan(person.token, world.blocks[0], client=client_id), WANG),
    )
    assert (first.status, retry.status) == ("ok", "ok")
    assert sorted([first.replayed, retry.replayed]) == [False, True]
    assert first.at == retry.at
    assert await CheckIn.count() == 1


async def test_a_scan_the_database_refuses_does_not_fail_the_rest_of_its_batch(adb: Any) -> None:
    world = await make_world(confirmed=3)
    now = datetime.now(UTC)

    def row(enrollment_id: int, block_id: int) -> coalesce.ScanRow:
        return coalesce.ScanRow(
            block_id=block_id,
            enrollment_id=enrollment_id,
            manual_code=None,
            scanned_at=now,
            recorded_at=now,
            staff=None,
            staff_name="王老师",
            device_id="t",
            client_id=uuid.uuid4().hex,
            local_day=today_local(),
        )

    batcher = coalesce.batcher()
    good = [row(p.enrollment_id, world.blocks[0]) for p in world.people]
    refused = row(world.people[0].enrollment_id, 2**40)  # no integer column holds it: the statement fails
    answers = await asyncio.gather(
        *(batcher.submit(r) for r in [good[0], refused, good[1], good[2]]), return_exceptions=True
    )
    assert isinstance(answers[1], Exception)
    for answer in (answers[0], answers[2], answers[3]):
        assert isinstance(answer, dict) and answer["inserted"] is not None
    assert await CheckIn.count() == 3

"""The redeem service against the real database (SQLite by default, PostgreSQL with TRAINING_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.checkin.world import local_dt, make_world, today_local
from training import keys
from training.checkin import attendance, reissue, rosters, scans
from training.checkin.scans import Scan
from training.checkin.tables import CheckIn
from training.core.actor import Actor
from training.core.tokens import make_token

WANG = Actor(None, "", "王老师", "staff")
LI = Actor(None, "", "李老师", "staff")


def scan(code: str, block: int, at: datetime | None = None, client: str | None = None) -> Scan:
    return Scan(
        code=code,
        block_id=block,
        client_id=client or uuid.uuid4().hex,
        device_id="phone-1",
        scanned_at=at or local_dt(today_local(), 0, 4),
    )


async def test_a_confirmed_teacher_is_checked_in_with_name_county_and_school(adb: Any) -> None:
    world = await make_world()
    person = world.people[0]
    result = await scans.redeem(scan(person.token, world.blocks[0]), WANG)
    assert result.status == "ok"
    assert (result.name, result.county, result.school) == (person.name, person.county, person.school)
    rows = await CheckIn.select().where(CheckIn.enrollment == person.enrollment_id)
    assert len(rows) == 1
    assert rows[0]["scanned_at"] == local_dt(today_local(), 0, 4)
    assert rows[0]["staff_name"] == "王老师" and rows[0]["device_id"] == "phone-1"


async def test_a_second_scan_says_when_and_by_whom(adb: Any) -> None:
    world = await make_world()
    person = world.people[1]
    await scans.redeem(scan(person.token, world.blocks[0]), WANG)
    again = await scans.redeem(scan(person.manual_code, world.blocks[0], local_dt(today_local(), 0, 6)), LI)
    assert again.status == "already_checked_in"
    assert again.to_json()["at_local"] == "00:04" and again.by == "王老师"
    assert await CheckIn.count() == 1


async def test_manual_codes_are_accepted_as_people_type_them(adb: Any) -> None:
    world = await make_world()
    code = world.people[0].manual_code
    typed = f" {code[:4].lower()}-{code[4:]}\n"
    assert (await scans.redeem(scan(typed, world.blocks[0]), WANG)).status == "ok"


async def test_a_tampered_token_is_invalid_and_writes_nothing(adb: Any) -> None:
    world = await make_world()
    token = world.people[0].token
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    forged = make_token(b"not-the-server-key" * 2, world.people[0].enrollment_id)
    for code in (flipped, forged, "TC" + "A" * 20, "hello", "", "ZZZZZZZZ"):
        assert (await scans.redeem(scan(code, world.blocks[0]), WANG)).status == "invalid", code
    assert await CheckIn.count() == 0


async def test_every_enrollment_status_gets_its_own_answer(adb: Any) -> None:
    world = await make_world(
        confirmed=1, extra_statuses=("cancelled", "waitlisted", "pending", "nominated", "rejected")
    )
    expected = {
        "cancelled": "cancelled",
        "waitlisted": "waitlisted",
        "pending": "unapproved",
        "nominated": "unapproved",
        "rejected": "rejected",
    }
    for person in world.people[1:]:
        result = await scans.redeem(scan(person.token, world.blocks[0]), WANG)
        assert result.status == expected[person.status], person.status
        assert result.name == person.name  # staff can tell the teacher who they are
    assert await CheckIn.count() == 0


async def test_wrong_session_not_enrolled_and_wrong_block(adb: Any) -> None:
    world = await make_world()
    person = world.people[0]
    assert (await scans.redeem(scan(person.token, world.other_block), WANG)).status == "wrong_session"
    ghost = make_token(keys.current().qr_token, 999_999)
    assert (await scans.redeem(scan(ghost, world.blocks[0]), WANG)).status == "not_enrolled"
    assert (await scans.redeem(scan(person.token, world.cancelled_block), WANG)).status == "wrong_block"
    tomorrow = world.blocks[2]  # a block of another day, scanned today
    assert (await scans.redeem(scan(person.token, tomorrow), WANG)).status == "wrong_block"
    assert (await scans.redeem(scan(person.token, 424242), WANG)).status == "wrong_block"
    assert await CheckIn.count() == 0


async def test_the_same_person_checks_in_once_per_block(adb: Any) -> None:
    world = await make_world()
    person = world.people[0]
    morning = await scans.redeem(scan(person.token, world.blocks[0]), WANG)
    afternoon = await scans.redeem(scan(person.token, world.blocks[1], local_dt(today_local(), 0, 7)), WANG)
    assert (morning.status, afternoon.status) == ("ok", "ok")
    assert await CheckIn.count() == 2


async def test_a_retry_with_the_same_client_id_returns_the_original_answer(adb: Any) -> None:
    world = await make_world()
    person = world.people[0]
    first = await scans.redeem(scan(person.token, world.blocks[0], client="c-1"), WANG)
    retry = await scans.redeem(
        scan(person.token, world.blocks[0], local_dt(today_local(), 0, 8), client="c-1"), LI
    )
    assert first.status == retry.status == "ok"
    assert retry.replayed and retry.at == first.at and retry.by == "王老师"
    assert await CheckIn.count() == 1


async def test_concurrent_duplicate_scans_give_one_ok_and_one_already_checked_in(adb: Any) -> None:
    world = await make_world(confirmed=20)
    for person in world.people:
        results = await asyncio.gather(
            scans.redeem(scan(person.token, world.blocks[0]), WANG),
            scans.redeem(scan(person.manual_code, world.blocks[0]), LI),
        )
        assert sorted(r.status for r in results) == ["already_checked_in", "ok"]
    assert await CheckIn.count() == 20


async def test_a_crowd_scanning_at_once_records_each_person_exactly_once(adb: Any) -> None:
    world = await make_world(confirmed=30)
    crowd = [scan(p.token, world.blocks[0]) for p in world.people for _ in range(3)]
    results = await asyncio.gather(*(scans.redeem(s, WANG) for s in crowd))
    assert sum(r.status == "ok" for r in results) == 30
    assert sum(r.status == "already_checked_in" for r in results) == 60
    assert await CheckIn.count() == 30


async def test_a_scan_time_in_the_future_is_replaced_by_the_server_time(adb: Any) -> None:
    world = await make_world()
    now = local_dt(today_local(), 9, 0)
    result = await scans.redeem(
        scan(world.people[0].token, world.blocks[0], now + timedelta(hours=3)), WANG, now=now
    )
    assert result.status == "ok" and result.at == now


async def test_counts_and_roster_of_a_block(adb: Any) -> None:
    world = await make_world(confirmed=3, extra_statuses=("cancelled",))
    await scans.redeem(scan(world.people[0].token, world.blocks[0]), WANG)
    assert await attendance.block_counts(world.blocks[0]) == attendance.BlockCounts(world.blocks[0], 1, 3)
    roster = await rosters.block_roster(world.blocks[0])
    assert len(roster.entries) == 4
    token = world.people[0].token
    assert all(token not in str(entry) for entry in roster.entries)  # digests only
    from training.checkin.status import roster_digest

    entry = next(e for e in roster.entries if e.t == roster_digest(roster.salt, token))
    assert entry.by == "王老师" and entry.at is not None


# --- attendance integrity: late and back-dated scans, replaced codes ---------------------------------------------


async def _late_audits() -> list[dict[str, Any]]:
    from training.audit.tables import AuditEntry

    return list(
        await AuditEntry.select()
        .where(AuditEntry.action == "late_checkin_upload")
        .output(load_json=True)
        .order_by(AuditEntry.id)
    )


async def test_a_back_dated_scan_into_a_past_session_is_refused_and_reported(adb: Any) -> None:
    from datetime import date

    world = await make_world(day=date(2019, 7, 18))  # the closed 2019 session
    person = world.people[0]
    result = await scans.redeem_batch(
        [scan(person.token, world.blocks[0], local_dt(date(2019, 7, 18), 9, 0))], WANG
    )
    assert [r.status for r in result] == ["too_late"]
    assert await CheckIn.count() == 0
    [audit] = await _late_audits()
    assert audit["changes"]["accepted"] == [] and audit["changes"]["refused_too_late"] == 1


async def test_an_offline_scan_within_the_window_is_accepted_and_audited(adb: Any) -> None:
    yesterday = today_local() - timedelta(days=1)
    world = await make_world(day=yesterday)
    person = world.people[0]
    made = local_dt(yesterday, 10, 0)
    [result] = await scans.redeem_batch([scan(person.token, world.blocks[0], made, client="offline-1")], WANG)
    assert result.status == "ok" and result.at == made
    [audit] = await _late_audits()
    [accepted] = audit["changes"]["accepted"]
    assert accepted["client_id"] == "offline-1" and accepted["enrollment"] == person.enrollment_id
    assert datetime.fromisoformat(accepted["scanned_at"]) == made
    assert audit["actor_name"] == "王老师"
    # a retry of the same upload is answered as before and audited no further
    [again] = await scans.redeem_batch([scan(person.token, world.blocks[0], made, client="offline-1")], WANG)
    assert again.status == "ok" and again.replayed and len(await _late_audits()) == 1


async def test_the_late_upload_window_is_configured_in_hours(adb: Any) -> None:
    yesterday = today_local() - timedelta(days=1)
    world = await make_world(day=yesterday)
    made = local_dt(yesterday, 10, 0)
    person = world.people[0]
    result = await scans.redeem(scan(person.token, world.blocks[0], made), WANG, window=timedelta(hours=1))
    assert result.status == "too_late" and await CheckIn.count() == 0


async def test_a_block_dated_outside_its_session_takes_no_scans(adb: Any) -> None:
    from training.programmes.tables import TrainingSession

    world = await make_world()
    await TrainingSession.update({TrainingSession.starts_on: today_local() + timedelta(days=1)}).where(
        TrainingSession.id == world.session_id
    )
    result = await scans.redeem(scan(world.people[0].token, world.blocks[0]), WANG)
    assert result.status == "wrong_block" and await CheckIn.count() == 0


async def test_a_replaced_qr_code_no_longer_checks_in_and_the_new_one_does(adb: Any) -> None:
    from training.audit.tables import AuditEntry

    world = await make_world()
    person = world.people[0]
    new = await reissue.replace_code(person.enrollment_id, WANG, "手机丢失")
    assert new != person.token
    old = await scans.redeem(scan(person.token, world.blocks[0]), WANG)
    assert old.status == "code_revoked" and await CheckIn.count() == 0
    assert (await scans.redeem(scan(new, world.blocks[0]), WANG)).status == "ok"
    assert await AuditEntry.count().where(AuditEntry.action == "replace_qr_code") == 1
    # the manual code still works for a replaced (not withdrawn) code
    assert (await scans.redeem(scan(person.manual_code, world.blocks[1]), WANG)).status == "ok"

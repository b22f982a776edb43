"""Service-level tests: every scheduling rule refuses bad input with the field and reason, and changes nothing."""

from datetime import UTC, date, datetime, time

import pytest

from tests.scheduling.factories import ORGANISER, block, county, enrollments, programme, session_draft
from training.audit.tables import AuditEntry
from training.errors import Conflict, ValidationFailed
from training.programmes import service, sessions
from training.programmes.tables import Block, CountyQuota, TrainingSession


async def test_a_session_ending_before_it_starts_is_refused(adb) -> None:
    pid = await programme()
    with pytest.raises(ValidationFailed) as caught:
        await service.create_session(ORGANISER, session_draft(pid, ends_on=date(2020, 7, 14)))
    assert caught.value.fields == {"ends_on": "ends_before_start"}
    assert await TrainingSession.count() == 0


async def test_registration_closing_after_the_session_starts_is_refused(adb) -> None:
    pid = await programme()
    late = datetime(2020, 7, 15, 9, 0, tzinfo=UTC)  # 17:00 in China, on the first day
    with pytest.raises(ValidationFailed) as caught:
        await service.create_session(ORGANISER, session_draft(pid, registration_closes_at=late))
    assert caught.value.fields["registration_closes_at"] == "registration_closes_after_start"


async def test_registration_closing_before_it_opens_is_refused(adb) -> None:
    pid = await programme()
    with pytest.raises(ValidationFailed) as caught:
        await service.create_session(
            ORGANISER,
            session_draft(
                pid,
                registration_opens_at=datetime(2020, 6, 1, tzinfo=UTC),
                registration_closes_at=datetime(2020, 5, 1, tzinfo=UTC),
            ),
        )
    assert caught.value.fields["registration_closes_at"] == "registration_closes_before_opens"


async def test_completion_threshold_in_hours_or_percent_not_both(adb) -> None:
    pid = await programme()
    with pytest.raises(ValidationFailed) as caught:
        await service.create_session(ORGANISER, session_draft(pid, completion_percent=80.0))
    assert caught.value.fields["completion_value"] == "completion_one_kind"
    with pytest.raises(ValidationFailed) as caught:
        await service.create_session(
            ORGANISER, session_draft(pid, completion_hours=None, completion_percent=120.0)
        )
    assert caught.value.fields["completion_value"] == "completion_percent_range"


async def test_capacity_lowered_below_seats_held_is_refused_with_the_number(adb) -> None:
    pid = await programme()
    cid = await county()
    sid = await service.create_session(ORGANISER, session_draft(pid, capacity=20))
    await enrollments(sid, cid, 7)
    await enrollments(sid, cid, 2, status="pending")
    await enrollments(sid, cid, 3, status="cancelled")  # no longer hold a seat
    with pytest.raises(ValidationFailed) as caught:
        await service.update_session(ORGANISER, sid, session_draft(pid, capacity=8))
    assert caught.value.fields == {"capacity": "capacity_below_taken"}
    assert caught.value.params["taken"] == 9
    assert (await sessions.get_session(sid)).capacity == 20
    await service.update_session(ORGANISER, sid, session_draft(pid, capacity=9))
    assert (await sessions.get_session(sid)).capacity == 9


async def test_capacity_cannot_drop_below_the_quotas(adb) -> None:
    pid = await programme()
    cid = await county()
    sid = await service.create_session(ORGANISER, session_draft(pid, capacity=30))
    await service.set_quotas(ORGANISER, sid, {cid: 25}, None)
    with pytest.raises(ValidationFailed) as caught:
        await service.update_session(ORGANISER, sid, session_draft(pid, capacity=20))
    assert caught.value.fields == {"capacity": "capacity_below_quotas"}
    assert caught.value.params["total"] == 25


async def test_moving_dates_away_from_existing_blocks_is_refused(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    await service.add_blocks(ORGANISER, sid, [block(date(2020, 7, 18))])
    with pytest.raises(ValidationFailed) as caught:
        await service.update_session(ORGANISER, sid, session_draft(pid, ends_on=date(2020, 7, 17)))
    assert caught.value.fields == {"starts_on": "blocks_outside_new_dates"}
    assert caught.value.params["count"] == 1


async def test_quotas_summing_above_capacity_are_refused_and_nothing_changes(adb) -> None:
    pid = await programme()
    a, b = await county("510823", "剑阁县"), await county("511622", "武胜县")
    sid = await service.create_session(ORGANISER, session_draft(pid, capacity=20))
    await service.set_quotas(ORGANISER, sid, {a: 10}, None)
    with pytest.raises(ValidationFailed) as caught:
        await service.set_quotas(ORGANISER, sid, {a: 12, b: 9}, None)
    assert caught.value.fields == {"quotas": "quotas_exceed_capacity"}
    assert caught.value.params["total"] == 21 and caught.value.params["capacity"] == 20
    rows = await CountyQuota.select(CountyQuota.county, CountyQuota.quota).where(CountyQuota.session == sid)
    assert rows == [{"county": a, "quota": 10}]


async def test_quota_lowered_below_the_county_enrollments_is_refused_with_the_number(adb) -> None:
    pid = await programme()
    a, b = await county("510823", "剑阁县"), await county("511622", "武胜县")
    sid = await service.create_session(ORGANISER, session_draft(pid, capacity=40))
    await service.set_quotas(ORGANISER, sid, {a: 10, b: 10}, None)
    await enrollments(sid, a, 6)
    with pytest.raises(ValidationFailed) as caught:
        await service.set_quotas(ORGANISER, sid, {a: 5, b: 10}, None)
    assert caught.value.fields == {f"quota_{a}": "quota_below_taken"}
    assert caught.value.params["taken"] == 6
    with pytest.raises(ValidationFailed) as caught:
        await service.set_quotas(ORGANISER, sid, {b: 10}, None)
    assert caught.value.fields == {f"quota_{a}": "quota_county_has_enrollments"}
    await service.set_quotas(ORGANISER, sid, {a: 6, b: None}, date(2020, 7, 1))
    quotas = {q.county: (q.quota, q.seats_held) for q in await service.get_quotas(sid)}
    assert quotas == {a: (6, 6), b: (None, 0)}
    assert (await sessions.get_session(sid)).release_unused_quota_on == date(2020, 7, 1)


async def test_unused_seats_cannot_be_released_after_the_session_starts(adb) -> None:
    pid = await programme()
    a = await county()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    with pytest.raises(ValidationFailed) as caught:
        await service.set_quotas(ORGANISER, sid, {a: 5}, date(2020, 7, 16))
    assert caught.value.fields == {"release_unused_quota_on": "release_after_start"}


async def test_blocks_outside_the_session_dates_are_refused(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    with pytest.raises(ValidationFailed) as caught:
        await service.add_blocks(ORGANISER, sid, [block(date(2020, 7, 19))])
    assert caught.value.fields == {"day": "block_outside_session"}
    assert caught.value.params["start"] == "2020-07-15"
    assert await Block.count() == 0


async def test_overlapping_blocks_are_refused(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    await service.add_blocks(ORGANISER, sid, [block(topic="开班仪式")])
    with pytest.raises(ValidationFailed) as caught:
        await service.add_blocks(ORGANISER, sid, [block(starts_at=time(11, 0), ends_at=time(12, 0))])
    assert caught.value.fields == {"starts_at": "block_overlaps"}
    assert "开班仪式" in caught.value.params["other"]
    # back to back is fine
    await service.add_blocks(
        ORGANISER, sid, [block(starts_at=time(11, 30), ends_at=time(12, 0), half_day="morning")]
    )
    assert await Block.count() == 2


async def test_a_block_ending_before_it_starts_is_refused(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    with pytest.raises(ValidationFailed) as caught:
        await service.add_blocks(ORGANISER, sid, [block(starts_at=time(11), ends_at=time(9))])
    assert caught.value.fields == {"ends_at": "block_ends_before_start"}


async def test_a_whole_day_is_added_at_once_or_not_at_all(adb) -> None:
    from training.programmes.rules import day_of_blocks

    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    day = day_of_blocks(date(2020, 7, 16), {"morning": {"topic": "讲座"}, "afternoon": {"topic": "研讨"}})
    ids = await service.add_blocks(ORGANISER, sid, day)
    assert len(ids) == 2
    assert [b.hours for b in await service.list_blocks(sid)] == [3.0, 3.0]
    with pytest.raises(ValidationFailed) as caught:
        await service.add_blocks(
            ORGANISER, sid, day_of_blocks(date(2020, 7, 16), {"morning": {}, "evening": {}})
        )
    assert caught.value.fields == {"morning_starts_at": "block_overlaps"}
    assert await Block.count() == 2


async def test_editing_a_closed_session_is_refused(adb) -> None:
    pid = await programme()
    cid = await county()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    await service.set_quotas(ORGANISER, sid, {cid: 10}, None)
    await service.add_blocks(ORGANISER, sid, [block()])
    await service.set_status(ORGANISER, sid, "published")
    await service.set_status(ORGANISER, sid, "closed")
    with pytest.raises(Conflict) as caught:
        await service.update_session(ORGANISER, sid, session_draft(pid, title="改名"))
    assert caught.value.code == "session_closed"
    with pytest.raises(Conflict):
        await service.add_blocks(ORGANISER, sid, [block(date(2020, 7, 16))])
    with pytest.raises(Conflict):
        await service.set_quotas(ORGANISER, sid, {cid: 12}, None)
    with pytest.raises(Conflict) as caught:
        await service.set_status(ORGANISER, sid, "draft")
    assert caught.value.code == "invalid_transition"
    assert (await sessions.get_session(sid)).title == "第10期暑期教师培训班"


async def test_a_closed_session_can_be_reopened_and_the_reopening_is_audited(adb) -> None:
    from training.audit.tables import AuditEntry

    pid = await programme()
    cid = await county()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    await service.set_quotas(ORGANISER, sid, {cid: 10}, None)
    await service.add_blocks(ORGANISER, sid, [block()])
    await service.set_status(ORGANISER, sid, "published")
    await service.set_status(ORGANISER, sid, "closed")
    await service.set_status(ORGANISER, sid, "published")
    assert (await sessions.get_session(sid)).status == "published"
    last = await AuditEntry.select().order_by(AuditEntry.id, ascending=False).first()
    assert last["action"] == "reopen" and last["changes"] in (
        {"status": ["closed", "published"]},
        '{"status": ["closed", "published"]}',
    )
    await service.update_session(ORGANISER, sid, session_draft(pid, title="改名"))  # editable again


async def test_publishing_needs_counties_timetable_and_threshold(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid, completion_hours=None))
    with pytest.raises(ValidationFailed) as caught:
        await service.set_status(ORGANISER, sid, "published")
    assert set(caught.value.fields) == {"quotas", "timetable", "completion_value"}
    assert (await sessions.get_session(sid)).status == "draft"


async def test_copying_a_session_makes_next_years_draft_with_quotas_and_timetable(adb) -> None:
    pid = await programme()
    cid = await county()
    sid = await service.create_session(
        ORGANISER,
        session_draft(
            pid,
            title="第9期暑期教师培训班",
            number=9,
            starts_on=date(2019, 7, 15),
            ends_on=date(2019, 7, 18),
            registration_closes_at=datetime(2019, 6, 30, 10, tzinfo=UTC),
        ),
    )
    await service.set_quotas(ORGANISER, sid, {cid: 15}, date(2019, 7, 1))
    await service.add_blocks(
        ORGANISER, sid, [block(date(2019, 7, 15)), block(date(2019, 7, 18), "afternoon")]
    )
    new_id = await service.copy_session(ORGANISER, sid, starts_on=date(2020, 7, 14))
    new = await sessions.get_session(new_id)
    assert (new.title, new.number, new.year, new.status) == (
        "第10期暑期教师培训班",
        10,
        2020,
        "draft",
    )
    assert new.ends_on == date(2020, 7, 17)
    assert new.release_unused_quota_on == date(2020, 6, 30)
    assert [(b.day, b.half_day) for b in await service.list_blocks(new_id)] == [
        (date(2020, 7, 14), "morning"),
        (date(2020, 7, 17), "afternoon"),
    ]
    assert [(q.county, q.quota) for q in await service.get_quotas(new_id)] == [(cid, 15)]


async def test_copying_last_years_timetable_into_a_session(adb) -> None:
    pid = await programme()
    old = await service.create_session(
        ORGANISER, session_draft(pid, starts_on=date(2019, 7, 15), ends_on=date(2019, 7, 18))
    )
    await service.add_blocks(ORGANISER, old, [block(date(2019, 7, 15)), block(date(2019, 7, 16))])
    new = await service.create_session(ORGANISER, session_draft(pid))
    assert await service.copy_timetable(ORGANISER, new, old) == 2
    with pytest.raises(ValidationFailed) as caught:
        await service.copy_timetable(ORGANISER, new, old)  # again: would overlap itself
    assert caught.value.fields == {"from_session_id": "copy_overlaps"}
    assert await Block.count().where(Block.session == new) == 2


async def test_every_change_is_in_the_audit_log_with_who_and_what(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    await service.update_session(ORGANISER, sid, session_draft(pid, capacity=120))
    entries = await AuditEntry.select().where(AuditEntry.entity == "session").order_by(AuditEntry.id)
    assert [e["action"] for e in entries] == ["create", "update"]
    assert entries[1]["actor_name"] == "李老师"
    changes = entries[1]["changes"]
    changes = changes if isinstance(changes, dict) else __import__("json").loads(changes)
    assert changes == {"capacity": [150, 120]}


async def test_times_without_a_zone_are_china_time(adb) -> None:
    pid = await programme()
    with pytest.raises(ValidationFailed):
        await service.create_session(
            ORGANISER, session_draft(pid, registration_closes_at=datetime(2020, 7, 15, 0, 30))
        )
    sid = await service.create_session(
        ORGANISER, session_draft(pid, registration_closes_at=datetime(2020, 7, 14, 23, 30))
    )
    stored = (await sessions.get_session(sid)).registration_closes_at
    assert stored.astimezone(UTC) == datetime(2020, 7, 14, 15, 30, tzinfo=UTC)


async def test_a_cancelled_block_stays_but_no_longer_blocks_its_time_or_counts(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    (bid,) = await service.add_blocks(ORGANISER, sid, [block(topic="讲座")])
    await service.update_block(ORGANISER, bid, block(topic="讲座", cancelled=True))
    await service.add_blocks(ORGANISER, sid, [block(topic="改为研讨")])  # same time: fine now
    blocks = await service.list_blocks(sid)
    assert [(b.topic, b.cancelled) for b in blocks] == [("讲座", True), ("改为研讨", False)]
    from training.programmes.rules import total_hours

    assert total_hours(blocks) == 3.0


async def test_a_whole_day_outside_the_session_names_the_day_field(adb) -> None:
    from training.programmes.rules import day_of_blocks

    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    with pytest.raises(ValidationFailed) as caught:
        await service.add_blocks(
            ORGANISER, sid, day_of_blocks(date(2020, 8, 1), {"morning": {}, "afternoon": {}})
        )
    assert caught.value.fields == {"day": "block_outside_session"}

from training.demo import load_demo
from training.people.tables import County
from training.programmes.tables import TrainingSession


async def test_demo_twice_gives_the_same_counts(adb: object) -> None:
    first = await load_demo(seed=2019)
    second = await load_demo(seed=2019)
    assert first.loaded and not second.loaded
    assert first.counts == second.counts
    assert first.counts["teachers"] > 1000
    assert first.counts["counties"] == 10


async def test_demo_is_the_seed_articles_world(adb: object) -> None:
    await load_demo(seed=2019)
    codes = {row["code"] for row in await County.select(County.code)}
    assert {"510823", "511622", "513432", "522328", "520523", "510824", "510822"} <= codes
    titles = {row["title"] for row in await TrainingSession.select(TrainingSession.title)}
    assert {f"第{n}期暑期教师培训班" for n in range(1, 10)} <= titles
    cohorts = [t for t in titles if "彩虹行动" in t]
    assert len([t for t in cohorts if t[:4].isdigit() and 2014 <= int(t[:4]) <= 2019]) == 6
    await _the_latest_cohort_has_travel_and_rooms()


async def _the_latest_cohort_has_travel_and_rooms() -> None:
    from training.core.actor import Actor
    from training.exchange import reads, service

    cohort = (
        await TrainingSession.select(TrainingSession.id)
        .where(TrainingSession.title == "2019 彩虹行动 常州班")
        .first()
    )
    assert cohort is not None
    organiser = Actor(user_id=None, username="t", display_name="t", role="organiser")
    members = [m.enrollment_id for m in await service.members(organiser, cohort["id"])]
    itineraries = await reads.itineraries(cohort["id"], members)
    assert len(itineraries) == len(members) > 0
    assert sum(1 for it in itineraries.values() if it.own_legs) == 1
    assert len(await reads.room_assignments(cohort["id"], members)) >= len(members) - 4


def test_todays_blocks_hold_any_hour_of_the_day() -> None:
    from datetime import datetime, time

    from training.demo import LOCAL, today_blocks

    for hour in range(24):
        now = datetime(2026, 12, 1, hour, 40, tzinfo=LOCAL)
        blocks = today_blocks(now)
        assert [half for half, _, _ in blocks] == ["morning", "afternoon", "evening"]
        assert any(start <= now.time() <= end for _, start, end in blocks), hour
        assert all(start < end for _, start, end in blocks)
        assert blocks[0][1] >= time(0, 0) and blocks[-1][2] <= time(23, 59)


async def test_the_scanner_finds_a_block_open_now_after_the_demo(adb: object) -> None:
    from training.checkin.choices import scanner_choices

    summary = await load_demo(seed=2019)
    sessions, session_id, block_id = await scanner_choices()
    running = [s for s in sessions if s.title == summary.running_session]
    assert running and session_id == running[0].id
    assert block_id in {b.id for b in running[0].blocks}
    # A teacher of that session scans in now: the first check-in of the day is accepted.
    from training.checkin.scans import Scan, redeem
    from training.core.actor import Actor
    from training.enrollment.tables import Enrollment

    enrollment = (
        await Enrollment.select(Enrollment.manual_code).where(Enrollment.session == session_id).first()
    )
    assert enrollment is not None
    result = await redeem(
        Scan(enrollment["manual_code"], block_id, "demo-try-1"), Actor(None, "", "现场 王老师", "staff")
    )
    assert result.status == "ok"

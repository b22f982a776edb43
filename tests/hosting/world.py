"""Test data for hosting: two exchange cohorts running today, one hosted by Nantong and one by Changzhou, with
confirmed teachers from two counties, host schools and mentors of both cities (imported as organisers do), and a
host coordinator per city."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from tests.kit import world as kit
from training.hosting import importing, service

LOCAL = ZoneInfo("Asia/Shanghai")
HEADER = ["城市", "学校", "区县", "导师", "学科", "学段", "可带人数"]
ROWS = [
    ["南通", "南通市城中小学", "崇川区", "陈静", "语文", "小学", 2],
    ["南通市", "南通市城中小学", "崇川区", "周海燕", "数学", "小学", 1],
    ["南通市", "南通市第一初级中学", "崇川区", "顾建国", "数学", "初中", 2],
    ["常州市", "常州市北郊初级中学", "新北区", "王立新", "语文", "初中", 3],
    ["常州市", "常州市局前街小学", "天宁区", "", "", "", ""],
]


def xlsx(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Cohort:
    session_id: int
    blocks: list[int]
    enrollments: list[int] = field(default_factory=list)


@dataclass
class World:
    nantong: Cohort
    changzhou: Cohort


async def make_world(teachers: int = 3) -> World:
    today = datetime.now(UTC).astimezone(LOCAL).date()
    jiange = await kit.county("510823", "剑阁县", prefecture="广元市")
    wusheng = await kit.county("511622", "武胜县", prefecture="广安市")
    programme = await kit.programme("exchange", "彩虹行动", "exchange")
    cohorts = []
    for city, title in (("南通市", "彩虹行动 南通班"), ("常州市", "彩虹行动 常州班")):
        session_id = await kit.session(
            programme,
            title=title,
            number=None,
            year=today.year,
            starts_on=today,
            ends_on=today,
            host_city=city,
            host_institution=f"{city}教师发展中心",
            mode="nomination",
        )
        # one block all day long: its check-in window holds whatever the hour the test runs
        blocks = [await kit.block(session_id, today, time(0, 0), time(23, 59), half_day="morning")]
        cohort = Cohort(session_id, blocks)
        subjects = [("语文", "primary"), ("数学", "primary"), ("数学", "junior"), ("英语", "senior")]
        for i in range(teachers):
            subject, band = subjects[i % len(subjects)]
            county = jiange if i % 2 == 0 else wusheng
            teacher = await kit.teacher(
                county, name=f"{city[:2]}老师{i}", subject=subject, grade_band=band, school_name="县实验学校"
            )
            cohort.enrollments.append(await kit.enrollment(session_id, teacher))
        cohorts.append(cohort)
    return World(*cohorts)


async def import_schools() -> service.ImportCounts:
    checked = importing.check_rows(importing.read_rows(xlsx(ROWS)))
    assert checked.ok, checked.errors
    return await service.import_schools(None, checked, "test.xlsx")


async def travel_and_room(cohort: Cohort, train: str, hotel: str) -> None:
    """The cohort's first two teachers travel in one group on one train and share a room."""
    from datetime import timedelta

    from training.exchange.tables import Hotel, Occupancy, Room, TravelGroup, TravelLeg, Traveller

    group = (await TravelGroup.insert(TravelGroup(session=cohort.session_id, name="第一组")))[0]["id"]
    departs = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
    await TravelLeg.insert(
        TravelLeg(
            session=cohort.session_id,
            travel_group=group,
            number=train,
            from_station="成都东",
            to_station="南通西",
            departs_at=departs,
            arrives_at=departs + timedelta(hours=12),
            meet_name="张老师",
            meet_phone_masked="138****5678",
        )
    )
    hotel_id = (await Hotel.insert(Hotel(session=cohort.session_id, name=hotel)))[0]["id"]
    room = (await Room.insert(Room(hotel=hotel_id, number="501", capacity=2)))[0]["id"]
    for enrollment_id in cohort.enrollments[:2]:
        await Traveller.insert(
            Traveller(session=cohort.session_id, enrollment=enrollment_id, travel_group=group)
        )
        await Occupancy.insert(Occupancy(session=cohort.session_id, room=room, enrollment=enrollment_id))

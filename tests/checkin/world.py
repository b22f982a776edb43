"""Test data for check-in: a county or two, a programme, a session running today with its blocks, enrollments.

Built with the kit's world builder (the enrollment domain tests registration itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.kit import world as kit
from training import keys
from training.core.tokens import make_token

LOCAL = ZoneInfo("Asia/Shanghai")
CODE_CHARS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def today_local() -> date:
    return datetime.now(UTC).astimezone(LOCAL).date()


def local_dt(day: date, hh: int, mm: int) -> datetime:
    """Tests scan "today" at 00:0x local: never more than the allowed 10 minutes of clock skew ahead of now."""
    return datetime.combine(day, time(hh, mm), tzinfo=LOCAL)


@dataclass
class Person:
    enrollment_id: int
    name: str
    county: str
    school: str
    manual_code: str
    status: str
    phone: str

    @property
    def token(self) -> str:
        return make_token(keys.current().qr_token, self.enrollment_id)


@dataclass
class World:
    session_id: int
    other_session_id: int
    blocks: list[int]  # today's morning, today's afternoon, tomorrow's morning
    cancelled_block: int
    other_block: int  # a block of the other session, today
    people: list[Person] = field(default_factory=list)

    def with_status(self, status: str) -> list[Person]:
        return [p for p in self.people if p.status == status]


def _manual_code(serial: int) -> str:
    n, chars = serial * 7919 + 104729, []
    for _ in range(8):
        n, r = divmod(n, len(CODE_CHARS))
        chars.append(CODE_CHARS[r])
    return "".join(chars)


async def make_world(
    confirmed: int = 4, day: date | None = None, extra_statuses: tuple[str, ...] = ()
) -> World:
    """A session today with `confirmed` confirmed teachers plus one enrollment per extra status."""
    day = day or today_local()
    county_ids = [
        await kit.county("510823", "剑阁县", prefecture=""),
        await kit.county("511622", "武胜县", prefecture=""),
    ]
    county_names = ["剑阁县", "武胜县"]
    school_id = await kit.school(county_ids[0])
    programme_id = await kit.programme()

    async def session(title: str) -> int:
        return await kit.session(
            programme_id,
            year=day.year,
            title=title,
            starts_on=day,
            ends_on=day + timedelta(days=2),
            capacity=300,
        )

    async def block(session_id: int, on: date, start: int, end: int, cancelled: bool = False) -> int:
        """Its check-in window spans the whole day, so a scan at any time of the day is judged by the other
        rules (tests/checkin/test_windows.py tests the window)."""
        ends_at = time(end, 0) if end < 24 else time(23, 59)
        return await kit.block(
            session_id,
            on,
            time(start, 0),
            ends_at,
            topic=f"专题 {start}:00",
            cancelled=cancelled,
            checkin_before_minutes=start * 60,
            checkin_after_minutes=(24 - end) * 60,
        )

    main = await session("第9期暑期教师培训班")
    other = await session("2019 彩虹行动 南通班")
    world = World(
        session_id=main,
        other_session_id=other,
        blocks=[
            await block(main, day, 0, 12),
            await block(main, day, 12, 24),
            await block(main, day + timedelta(days=1), 8, 11),
        ],
        cancelled_block=await block(main, day, 19, 21, cancelled=True),
        other_block=await block(other, day, 8, 11),
    )
    statuses = ["confirmed"] * confirmed + list(extra_statuses)
    for serial, status in enumerate(statuses, start=1):
        which = serial % 2
        school = "剑阁县实验小学" if which == 0 else "武胜县中心小学"
        phone = f"1390000{serial:04d}"
        name = f"测试{'王李张刘陈杨黄赵吴周'[serial % 10]}{serial}"
        teacher_id = await kit.teacher(
            county_ids[which],
            name=name,
            phone=phone,
            school_id=school_id if which == 0 else None,
            school_name="" if which == 0 else school,
        )
        code = _manual_code(serial)
        enrollment_id = await kit.enrollment(
            main, teacher_id, status=status, manual_code=code, snapshot=False
        )
        world.people.append(Person(enrollment_id, name, county_names[which], school, code, status, phone))
    return world

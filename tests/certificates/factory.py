"""Rows for certificate tests, inserted directly (check-in and enrollment are built elsewhere)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from tests.kit.world import id_number
from training.checkin.tables import CheckIn
from training.enrollment import snapshots
from training.enrollment.tables import Enrollment
from training.people.service import TeacherProfile, profile_columns, protected_columns
from training.people.tables import County, School, Teacher
from training.programmes.tables import Block, Programme, TrainingSession

_counter = itertools.count(1)


@dataclass
class World:
    session_id: int
    programme_id: int
    county_id: int
    school_id: int
    blocks: list[int] = field(default_factory=list)


async def make_world(
    *,
    kind: str = "summer",
    blocks: int = 8,
    hours: float = 3.0,
    completion_hours: float | None = 18.0,
    completion_percent: float | None = None,
) -> World:
    n = next(_counter)
    county = await County.insert(
        County(code=f"5108{n % 100:02d}", name="剑阁县", province="四川省", prefecture="广元市", aided=True)
    )
    county_id = int(county[0]["id"])
    school = await School.insert(School(county=county_id, name=f"剑阁县实验小学{n}", level="primary"))
    programme = await Programme.insert(
        Programme(
            slug=f"p{n}",
            name="江苏民进“彩虹行动”培训班" if kind == "exchange" else "暑期教师培训班",
            kind=kind,
            certificate_layout="portrait" if kind == "exchange" else "landscape",
        )
    )
    start = date(2019, 7, 15)
    session = await TrainingSession.insert(
        TrainingSession(
            programme=int(programme[0]["id"]),
            number=9,
            year=2019,
            title="2019 彩虹行动 南通班" if kind == "exchange" else "第9期暑期教师培训班",
            starts_on=start,
            ends_on=start + timedelta(days=3),
            capacity=100,
            status="closed",
            completion_hours=completion_hours,
            completion_percent=completion_percent,
        )
    )
    world = World(int(session[0]["id"]), int(programme[0]["id"]), county_id, int(school[0]["id"]))
    rows = [
        Block(
            session=world.session_id,
            day=start + timedelta(days=i // 2),
            half_day="morning" if i % 2 == 0 else "afternoon",
            starts_at=time(8, 30) if i % 2 == 0 else time(14, 0),
            ends_at=time(11, 30) if i % 2 == 0 else time(17, 0),
            hours=hours,
        )
        for i in range(blocks)
    ]
    world.blocks = [int(r["id"]) for r in await Block.insert(*rows)]
    return world


async def make_teacher(world: World, name: str = "张三梅", email: str = "") -> tuple[int, int]:
    """A confirmed participant; returns (teacher id, enrollment id)."""
    n = next(_counter)
    profile = TeacherProfile(
        id_number=id_number(n=n),
        name=name,
        phone=f"199{n:08d}",
        county_id=world.county_id,
        email=email or f"t{n}@example.org",
        school_id=world.school_id,
        school_name="剑阁县实验小学",
    )
    teacher = await Teacher.insert(Teacher(**protected_columns(profile), **profile_columns(profile)))
    teacher_id = int(teacher[0]["id"])
    enrollment = await Enrollment.insert(
        Enrollment(
            session=world.session_id,
            teacher=teacher_id,
            county=world.county_id,
            school=world.school_id,
            **snapshots.of_teacher(profile_columns(profile)),
            status="confirmed",
            holds_seat=True,
            manual_code=f"C{n:07d}",
            source="demo",
        )
    )
    return teacher_id, int(enrollment[0]["id"])


async def attend(world: World, enrollment_id: int, block_count: int) -> None:
    """Check the enrollment in to the first `block_count` blocks."""
    rows = [
        CheckIn(
            enrollment=enrollment_id,
            block=block_id,
            scanned_at=datetime(2019, 7, 15, 8, 0, tzinfo=UTC),
            client_id=f"t-{enrollment_id}-{block_id}",
        )
        for block_id in world.blocks[:block_count]
    ]
    if rows:
        await CheckIn.insert(*rows)


async def participants(world: World, count: int, attended_blocks: int = 8) -> list[int]:
    enrollments = []
    for i in range(count):
        _, enrollment_id = await make_teacher(
            world, name=["王芳", "张三梅", "欧阳小明", "阿苦日哈·吉克"][i % 4]
        )
        await attend(world, enrollment_id, attended_blocks)
        enrollments.append(enrollment_id)
    return enrollments

"""A closed session with its blocks and participants who attended some of them, for certificate tests (built
with the kit's world builder; check-in and enrollment are exercised elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from tests.kit import world as kit


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
    n = kit.serial()
    county_id = await kit.county(f"5108{n % 100:02d}")
    school_id = await kit.school(county_id, f"剑阁县实验小学{n}")
    exchange = kind == "exchange"
    programme_id = await kit.programme(
        f"p{n}",
        "江苏民进“彩虹行动”培训班" if exchange else "暑期教师培训班",
        kind,
        certificate_layout="portrait" if exchange else "landscape",
    )
    start = date(2019, 7, 15)
    session_id = await kit.session(
        programme_id,
        number=9,
        year=2019,
        title="2019 彩虹行动 南通班" if exchange else "第9期暑期教师培训班",
        starts_on=start,
        ends_on=start + timedelta(days=3),
        capacity=100,
        status="closed",
        completion_hours=completion_hours,
        completion_percent=completion_percent,
    )
    world = World(session_id, programme_id, county_id, school_id)
    world.blocks = await kit.blocks(session_id, start, blocks, hours=hours)
    return world


async def make_teacher(world: World, name: str = "张三梅", email: str = "") -> tuple[int, int]:
    """A confirmed participant; returns (teacher id, enrollment id)."""
    teacher_id = await kit.teacher(
        world.county_id, name=name, email=email, school_id=world.school_id, school_name="剑阁县实验小学"
    )
    enrollment_id = await kit.enrollment(world.session_id, teacher_id, source="demo")
    return teacher_id, enrollment_id


async def attend(world: World, enrollment_id: int, block_count: int) -> None:
    """Check the enrollment in to the first `block_count` blocks."""
    await kit.check_ins(enrollment_id, world.blocks[:block_count], datetime(2019, 7, 15, 8, 0, tzinfo=UTC))


async def participants(world: World, count: int, attended_blocks: int = 8) -> list[int]:
    enrollments = []
    for i in range(count):
        _, enrollment_id = await make_teacher(
            world, name=["王芳", "张三梅", "欧阳小明", "阿苦日哈·吉克"][i % 4]
        )
        await attend(world, enrollment_id, attended_blocks)
        enrollments.append(enrollment_id)
    return enrollments

"""Builders for scheduling tests: a programme, a session with quotas and blocks, enrollments holding seats."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from training.core.actor import Actor
from training.enrollment.tables import Enrollment
from training.people.tables import County, Teacher
from training.programmes import service
from training.programmes.rules import BlockDraft, SessionDraft

ORGANISER = Actor(user_id=1, username="li", display_name="李老师", role="organiser")


async def county(code: str = "510823", name: str = "剑阁县") -> int:
    rows = await County.insert(County(code=code, name=name, province="四川省", prefecture="广元市"))
    return int(rows[0]["id"])


async def programme(slug: str = "summer") -> int:
    return await service.create_programme(ORGANISER, service.ProgrammeDraft(slug=slug, name="暑期教师培训班"))


def session_draft(programme_id: int, **overrides: Any) -> SessionDraft:
    values: dict[str, Any] = {
        "programme_id": programme_id,
        "title": "第10期暑期教师培训班",
        "starts_on": date(2020, 7, 15),
        "ends_on": date(2020, 7, 18),
        "capacity": 150,
        "number": 10,
        "venue": "剑阁县教师进修学校",
        "host_city": "剑阁县",
        "completion_hours": 18.0,
    }
    values.update(overrides)
    return SessionDraft(**values)


def block(day: date = date(2020, 7, 15), half: str = "morning", **overrides: Any) -> BlockDraft:
    start, end = {"morning": (time(8, 30), time(11, 30)), "afternoon": (time(14), time(17))}.get(
        half, (time(19), time(21))
    )
    values: dict[str, Any] = {
        "day": day,
        "half_day": half,
        "starts_at": start,
        "ends_at": end,
        "topic": "专题",
    }
    values.update(overrides)
    return BlockDraft(**values)


async def enrollment(session_id: int, county_id: int, key: str, status: str = "confirmed") -> None:
    """One teacher enrolled with this status; confirmed/pending/nominated hold a seat and a quota seat."""
    teacher = await Teacher.insert(
        Teacher(
            id_hash=f"h{session_id}-{county_id}-{key}",
            id_encrypted="x",
            id_masked="5108**********0011",
            name=f"教师{key}",
            phone_hash=f"p{key}",
            phone_encrypted="x",
            phone_masked="199****0000",
            county=county_id,
        )
    )
    holds = status in ("confirmed", "pending", "nominated")
    await Enrollment.insert(
        Enrollment(
            session=session_id,
            teacher=teacher[0]["id"],
            county=county_id,
            status=status,
            holds_seat=holds,
            holds_quota=holds,
            manual_code=f"C{session_id}-{county_id}-{key}"[:12],
        )
    )


async def enrollments(session_id: int, county_id: int, n: int, status: str = "confirmed") -> None:
    """n teachers holding a seat (and a quota seat) in the session, as the enrollment domain records them."""
    for i in range(n):
        await enrollment(session_id, county_id, f"{status[:2]}{i}", status)

"""Scheduling tests' world: a programme made through the service, session and block drafts, enrollments holding
seats (rows from the kit's world builder)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from tests.kit import world as kit
from training.core.actor import Actor
from training.programmes import service
from training.programmes.rules import BlockDraft, SessionDraft

ORGANISER = Actor(user_id=1, username="li", display_name="李老师", role="organiser")


county = kit.county


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
    teacher_id = await kit.teacher(county_id, name=f"教师{key}")
    await kit.enrollment(session_id, teacher_id, status=status)


async def enrollments(session_id: int, county_id: int, n: int, status: str = "confirmed") -> None:
    """n teachers holding a seat (and a quota seat) in the session, as the enrollment domain records them."""
    for i in range(n):
        await enrollment(session_id, county_id, f"{status[:2]}{i}", status)

"""Sessions, counties and valid registrations for the enrollment tests (built with the kit's world builder)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.world import id_number

BASE_URL = "http://testserver.local"
COUNTIES = [("510823", "剑阁县"), ("511622", "武胜县"), ("513432", "喜德县")]


async def make_counties() -> list[int]:
    """The three counties of COUNTIES, each with a primary and a senior school."""
    ids = []
    for code, name in COUNTIES:
        county_id = await kit.county(code, name, prefecture="")
        await kit.school(county_id, f"{name[:-1]}县实验小学", "primary")
        await kit.school(county_id, f"{name[:-1]}县第一中学", "senior")
        ids.append(county_id)
    return ids


async def make_session(
    county_ids: list[int],
    *,
    capacity: int = 50,
    quotas: list[int | None] | None = None,
    mode: str = "open",
    status: str = "published",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    release_on: date | None = None,
    nomination_deadline: datetime | None = None,
    title: str = "第10期暑期教师培训班",
) -> int:
    """A session of the summer programme open for registration, with a quota row per county (None: no limit)."""
    now = datetime.now(UTC)
    session_id = await kit.session(
        await kit.programme(),
        title=title,
        venue="剑阁县教师进修学校",
        host_city="剑阁县",
        capacity=capacity,
        mode=mode,
        status=status,
        registration_opens_at=opens_at or now - timedelta(days=1),
        registration_closes_at=closes_at or now + timedelta(days=30),
        release_unused_quota_on=release_on,
        nomination_deadline=nomination_deadline or now + timedelta(days=30),
        contact_name="李老师",
        contact_phone="028-00000000",
    )
    quotas = quotas if quotas is not None else [None] * len(county_ids)
    for county_id, seats in zip(county_ids, quotas, strict=True):
        await kit.quota(session_id, county_id, seats)
    return session_id


def registration(county_id: int, n: int = 1, county_code: str = "510823", **overrides: Any) -> dict[str, Any]:
    values = {
        "name": f"王老师{n}",
        "gender": "female",
        "ethnicity": "汉族",
        "id_number": id_number(county_code, n),
        "phone": f"139{n:08d}",
        "email": f"teacher{n}@example.org",
        "county": str(county_id),
        "school": "剑阁县实验小学",
        "subject": "语文",
        "grade_band": "primary",
        "title": "一级教师",
        "years_teaching": "12",
        "consent": "1",
    }
    values.update(overrides)
    return values


def shuffled(items: list[Any], seed: int = 7) -> list[Any]:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


def fetch(query: Any) -> Any:
    """Run a Piccolo query from synchronous test code."""
    return run_sync(query)

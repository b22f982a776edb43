"""Sessions, counties and valid registrations for the enrollment tests."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.kit.world import id_number
from training.people.tables import County, School
from training.programmes.tables import CountyQuota, Programme, TrainingSession

BASE_URL = "http://testserver.local"
COUNTIES = [("510823", "剑阁县"), ("511622", "武胜县"), ("513432", "喜德县")]


async def make_counties() -> list[int]:
    ids = []
    for code, name in COUNTIES:
        rows = await County.insert(County(code=code, name=name, province="四川省", aided=True))
        county_id = int(rows[0]["id"])
        ids.append(county_id)
        await School.insert(
            School(county=county_id, name=f"{name[:-1]}县实验小学", level="primary"),
            School(county=county_id, name=f"{name[:-1]}县第一中学", level="senior"),
        )
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
    programme = await Programme.select(Programme.id).where(Programme.slug == "summer").first()
    if programme is None:
        rows = await Programme.insert(Programme(slug="summer", name="暑期教师培训班", kind="summer"))
        programme_id = int(rows[0]["id"])
    else:
        programme_id = int(programme["id"])
    now = datetime.now(UTC)
    rows = await TrainingSession.insert(
        TrainingSession(
            programme=programme_id,
            number=10,
            year=2027,
            title=title,
            starts_on=date(2027, 7, 15),
            ends_on=date(2027, 7, 18),
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
    )
    session_id = int(rows[0]["id"])
    quotas = quotas if quotas is not None else [None] * len(county_ids)
    for county_id, quota in zip(county_ids, quotas, strict=True):
        await CountyQuota.insert(CountyQuota(session=session_id, county=county_id, quota=quota))
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


async def _await(query: Any) -> Any:
    return await query


def fetch(query: Any) -> Any:
    """Run a Piccolo query from synchronous test code."""
    from tests.helpers import run_sync

    return run_sync(_await(query))

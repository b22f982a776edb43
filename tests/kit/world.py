"""The world builder: rows for every domain's tests, inserted the way the application stores them.

Each function inserts one kind of row with defaults a test can override and returns its id (or a small record);
scenario builders compose them. Numbers that must be unique within a test (ID numbers, phones, manual codes) come
from `serial()`, a counter the `engine` fixture starts again for every test.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.kit.sync import run_sync
from training.accounts import service as accounts
from training.checkin.tables import CheckIn
from training.enrollment import snapshots
from training.enrollment.tables import Enrollment
from training.people.identity import check_digit
from training.people.service import TeacherProfile, profile_columns, protected_columns
from training.people.tables import County, School, Teacher
from training.programmes.question_tables import SessionQuestion
from training.programmes.tables import Block, CountyQuota, Programme, TrainingSession

PASSWORD = "correct-horse-battery"  # every staff account's, unless a test says otherwise

_serials = itertools.count(1)


def serial() -> int:
    """The next number of this test (1, 2, 3…)."""
    return next(_serials)


def forget_serials() -> None:
    global _serials
    _serials = itertools.count(1)


def id_number(
    county_code: str = "510823", n: int = 1, born: date = date(1985, 3, 7), female: bool = True
) -> str:
    """A valid 18-character resident ID number, distinct for each `n` (its birth day moves every 99)."""
    seq = (n % 99) * 10 + (2 if female else 1)
    born = born + timedelta(days=n // 99)
    first17 = f"{county_code}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


# --- places and programmes ------------------------------------------------------------------------------------


async def county(
    code: str = "510823",
    name: str = "剑阁县",
    *,
    province: str = "四川省",
    prefecture: str = "广元市",
    aided: bool = True,
) -> int:
    rows = await County.insert(
        County(code=code, name=name, province=province, prefecture=prefecture, aided=aided)
    )
    return int(rows[0]["id"])


async def school(county_id: int, name: str = "剑阁县实验小学", level: str = "primary") -> int:
    rows = await School.insert(School(county=county_id, name=name, level=level))
    return int(rows[0]["id"])


async def programme(
    slug: str = "summer", name: str = "暑期教师培训班", kind: str = "summer", **columns: Any
) -> int:
    """The programme with this slug, created on first use."""
    found = await Programme.select(Programme.id).where(Programme.slug == slug).first()
    if found is not None:
        return int(found["id"])
    rows = await Programme.insert(Programme(slug=slug, name=name, kind=kind, **columns))
    return int(rows[0]["id"])


async def session(programme_id: int, **columns: Any) -> int:
    """A training session (published, summer 2027, 50 seats unless `columns` say otherwise)."""
    values: dict[str, Any] = {
        "number": 10,
        "year": 2027,
        "title": "第10期暑期教师培训班",
        "starts_on": date(2027, 7, 15),
        "ends_on": date(2027, 7, 18),
        "capacity": 50,
        "status": "published",
        **columns,
    }
    rows = await TrainingSession.insert(TrainingSession(programme=programme_id, **values))
    return int(rows[0]["id"])


async def quota(session_id: int, county_id: int, seats: int | None = None) -> None:
    """A county's share of a session (None: no limit of its own)."""
    await CountyQuota.insert(CountyQuota(session=session_id, county=county_id, quota=seats))


async def blocks(
    session_id: int,
    first_day: date,
    count: int,
    *,
    hours: float = 3.0,
    **columns: Any,
) -> list[int]:
    """`count` half-day blocks from `first_day`: mornings 8:30–11:30 and afternoons 14:00–17:00 in turn."""
    rows = [
        Block(
            session=session_id,
            day=first_day + timedelta(days=i // 2),
            half_day="morning" if i % 2 == 0 else "afternoon",
            starts_at=time(8, 30) if i % 2 == 0 else time(14, 0),
            ends_at=time(11, 30) if i % 2 == 0 else time(17, 0),
            hours=hours,
            **columns,
        )
        for i in range(count)
    ]
    return [int(r["id"]) for r in await Block.insert(*rows)] if rows else []


async def block(session_id: int, day: date, starts_at: time, ends_at: time, **columns: Any) -> int:
    """One block at the given hours (its half day follows from the start)."""
    columns.setdefault("half_day", "morning" if starts_at.hour < 12 else "afternoon")
    columns.setdefault("hours", 3.0)
    rows = await Block.insert(
        Block(session=session_id, day=day, starts_at=starts_at, ends_at=ends_at, **columns)
    )
    return int(rows[0]["id"])


# --- people and their enrollments ------------------------------------------------------------------------------


async def teacher(
    county_id: int,
    *,
    name: str = "",
    n: int | None = None,
    phone: str = "",
    email: str = "",
    school_id: int | None = None,
    school_name: str = "",
    **profile: Any,
) -> int:
    """A teacher on file, stored as the application stores one (hashed, encrypted and masked ID number and
    phone); `n` (default: the next serial) makes her ID number, phone and name distinct."""
    n = serial() if n is None else n
    person = TeacherProfile(
        id_number=id_number(n=n),
        name=name or f"王老师{n}",
        phone=phone or f"199{n:08d}",
        county_id=county_id,
        email=email or f"t{n}@example.org",
        school_id=school_id,
        school_name=school_name,
        **profile,
    )
    rows = await Teacher.insert(Teacher(**protected_columns(person), **profile_columns(person)))
    return int(rows[0]["id"])


async def enrollment(
    session_id: int,
    teacher_id: int,
    *,
    status: str = "confirmed",
    manual_code: str = "",
    snapshot: bool = True,
    **columns: Any,
) -> int:
    """The teacher's enrollment in the session, in her county and school on file; confirmed, pending and
    nominated ones hold a seat and a quota seat. `snapshot`: copy her name, school, subject and title as a
    registration does."""
    person = await Teacher.select().where(Teacher.id == teacher_id).first()
    assert person is not None
    holds = status in ("confirmed", "pending", "nominated")
    values: dict[str, Any] = {
        "county": person["county"],
        "school": person["school"],
        "holds_seat": holds,
        "holds_quota": holds,
        "manual_code": manual_code or f"C{serial():07d}",
        **(snapshots.of_teacher(person) if snapshot else {}),
        **columns,
    }
    rows = await Enrollment.insert(
        Enrollment(session=session_id, teacher=teacher_id, status=status, **values)
    )
    return int(rows[0]["id"])


async def check_ins(enrollment_id: int, block_ids: list[int], at: datetime | None = None) -> None:
    """The enrollment scanned in to each block (at `at`, default: now)."""
    scanned_at = at or datetime.now(UTC)
    rows = [
        CheckIn(
            enrollment=enrollment_id,
            block=block_id,
            scanned_at=scanned_at,
            client_id=f"t-{enrollment_id}-{block_id}",
        )
        for block_id in block_ids
    ]
    if rows:
        await CheckIn.insert(*rows)


# --- staff ----------------------------------------------------------------------------------------------------


# A valid typed answer per question kind (training/enrollment/answers.py parses these form values).
_SAMPLE_ANSWER = {
    "number": "1",
    "date": "2027-07-01",
    "datetime": "2027-07-01T09:00",
    "yesno": "no",
}


async def required_answers(session_id: int) -> dict[str, str]:
    """Form fields (`q_<id>`) answering every required question of a session, so a registration or nomination
    posted by a test or a benchmark passes a session that asks some (the demo's do); a form ignores the fields
    of questions it does not ask. A choice takes its first choice, text a short word."""
    questions = await SessionQuestion.select().where(
        (SessionQuestion.session == session_id)
        & (SessionQuestion.required == True)  # noqa: E712
        & (SessionQuestion.archived == False)  # noqa: E712
    )
    return {
        f"q_{q['id']}": json.loads(q["choices"])[0]
        if q["kind"] in ("choice", "choices")
        else _SAMPLE_ANSWER.get(q["kind"], "测试")
        for q in questions
    }


def create_user(
    username: str, role: str, county_id: int | None = None, password: str = PASSWORD, host_city: str = ""
) -> int:
    """A staff account (synchronous: most tests that need one drive the app through a TestClient); a host
    coordinator's host city defaults to 南通市."""
    if role == "host":
        host_city = host_city or "南通市"
    return int(
        run_sync(
            accounts.create_user(username, password, role, username.title(), county_id, host_city=host_city)
        )
    )

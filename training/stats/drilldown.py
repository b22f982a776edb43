"""Drill-down from the dashboard: a county's schools and teachers, one teacher's years (coordinators: own county).

Each answer is a typed read model; the JSON API returns the same objects the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from training.core.actor import Actor
from training.errors import Forbidden, NotFound
from training.stats import schema, sql
from training.stats.figures import Filters, rate

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class SchoolFigures:
    """One school of a county (school None: enrollments without a school on record)."""

    school: int | None
    school_name: str
    level: str
    teachers: int
    registered: int
    confirmed: int
    attended: int
    completed: int
    hours: float
    attendance_rate: float | None
    completion_rate: float | None


@dataclass(frozen=True, slots=True)
class TeacherFigures:
    """One teacher of a county, phone masked."""

    teacher: int
    name: str
    phone_masked: str
    school_name: str
    subject: str
    enrollments: int
    attended: int
    completed: int
    hours: float
    first_year: int
    last_year: int


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One enrollment of a teacher: the session, her attendance, her certificate, her school and subject then."""

    enrollment: int
    year: int
    programme_name: str
    title: str
    starts_on: date | None
    ends_on: date | None
    host_city: str
    status: str
    checkins: int
    blocks: int
    hours: float
    certified: bool
    serial: str
    revoked: bool
    school_name: str
    subject: str


@dataclass(frozen=True, slots=True)
class TeacherHistory:
    """A teacher across the years (today's profile above, each year's snapshot in `history`)."""

    teacher: int
    name: str
    phone_masked: str
    county: int
    county_name: str
    school_name: str
    subject: str
    title: str
    history: list[HistoryItem]
    total_hours: float
    certificates: int
    years: list[int]


def _require_county(principal: Actor, county_id: int) -> None:
    if not principal.may_see_county(county_id):
        raise Forbidden()


async def county_schools(county_id: int, filters: Filters, principal: Actor) -> list[SchoolFigures]:
    """One county's schools: distinct teachers, enrollments, attended, completed, hours; busiest first."""
    _require_county(principal, county_id)
    await schema.catch_up()
    rows = await sql.school_counts(replace(filters, county_id=county_id))
    names = await sql.schools_of_county(county_id)
    out = []
    for r in rows:
        sid = r["school"]
        school = names.get(int(sid)) if sid is not None else None
        counts = sql.counts_of(r)
        out.append(
            SchoolFigures(
                school=sid,
                school_name=school["name"] if school else "",
                level=school["level"] if school else "",
                teachers=sql.as_int(r["teachers"]),
                **counts,
                attendance_rate=rate(counts["attended"], counts["confirmed"]),
                completion_rate=rate(counts["completed"], counts["confirmed"]),
            )
        )
    out.sort(key=lambda s: (-s.registered, s.school_name))
    return out


async def county_teachers(
    county_id: int, filters: Filters, principal: Actor, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[TeacherFigures], int]:
    """One county's teachers (masked phone), most hours first; returns (page rows, total teachers)."""
    _require_county(principal, county_id)
    await schema.catch_up()
    county_filters = replace(filters, county_id=county_id)
    total = await sql.teacher_count(county_filters)
    rows = await sql.teacher_counts(county_filters, limit=page_size, offset=max(0, page - 1) * page_size)
    people = await sql.teachers_by_id([int(r["teacher"]) for r in rows])
    out = []
    for r in rows:
        person = people.get(int(r["teacher"]), {})
        out.append(
            TeacherFigures(
                teacher=int(r["teacher"]),
                name=person.get("name", ""),
                phone_masked=person.get("phone_masked", ""),
                school_name=person.get("school_name", ""),
                subject=person.get("subject", ""),
                enrollments=sql.as_int(r["enrollments"]),
                attended=sql.as_int(r["attended"]),
                completed=sql.as_int(r["completed"]),
                hours=sql.as_float(r["hours"]),
                first_year=sql.as_int(r["first_year"]),
                last_year=sql.as_int(r["last_year"]),
            )
        )
    return out, total


async def teacher_history(teacher_id: int, principal: Actor) -> TeacherHistory:
    """A teacher across the years: every enrollment, its attendance and hours, its certificate."""
    person = await sql.teacher_profile(teacher_id)
    if person is None:
        raise NotFound()
    _require_county(principal, int(person["county"]))
    await schema.catch_up()
    history = [
        HistoryItem(
            enrollment=int(r["enrollment"]),
            year=int(r["year"]),
            programme_name=r["programme_name"],
            title=r["title"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            host_city=r["host_city"],
            status=r["status"],
            checkins=sql.as_int(r["checkins"]),
            blocks=sql.as_int(r["blocks"]),
            hours=sql.as_float(r["hours"]),
            certified=bool(r["certified"]),
            serial=r["serial"] or "",
            revoked=r["revoked_at"] is not None,
            # where she taught and what, that year (the enrollment's snapshot), beside today's profile above
            school_name=r["enrollment_school"] or "",
            subject=r["enrollment_subject"] or "",
        )
        for r in await sql.history_rows(teacher_id)
    ]
    county_dim = await sql.counties()
    return TeacherHistory(
        teacher=int(person["id"]),
        name=person["name"],
        phone_masked=person["phone_masked"],
        county=int(person["county"]),
        county_name=county_dim.get(int(person["county"]), {}).get("name", ""),
        school_name=person["school_name"],
        subject=person["subject"],
        title=person["title"],
        history=history,
        total_hours=sum(h.hours for h in history),
        certificates=sum(1 for h in history if h.certified),
        years=sorted({h.year for h in history if h.checkins > 0}),
    )

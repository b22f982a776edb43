"""Every statement of the statistics readers, in one place (the fact tables' own DDL and triggers are in schema.py).

The dashboard's figures are one GROUP BY each over `stats_fact`, or over the pre-aggregated `stats_cell` (+ its
deltas) and `stats_teacher_years` when no per-enrollment filter (school level, subject) asks for the facts."""

# SQL here is assembled only from constant fragments; every value is a bound {} parameter.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import replace
from typing import Any

from training import db
from training.stats.figures import Filters, with_rates, year_mask


def fact_where(filters: Filters, alias: str = "f") -> tuple[str, list[Any]]:
    """Every filter as a condition on stats_fact rows (level through the enrollment's school)."""
    where, args = _cell_where(filters, alias=f"{alias}.")
    clauses = [] if where == "1 = 1" else [where]
    if filters.school_level:
        clauses.append(f"{alias}.school IN (SELECT id FROM school WHERE level = {{}})")
        args.append(filters.school_level)
    if filters.subject:
        clauses.append(f"{alias}.subject = {{}}")
        args.append(filters.subject)
    return (" AND ".join(clauses) or "1 = 1"), args


def as_int(value: Any) -> int:
    return int(value or 0)


def as_float(value: Any) -> float:
    return float(value or 0.0)


def counts_of(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "registered": as_int(row["registered"]),
        "confirmed": as_int(row["confirmed"]),
        "attended": as_int(row["attended"]),
        "completed": as_int(row["completed"]),
        "hours": as_float(row["hours"]),
    }


COUNT_COLUMNS = """COUNT(*) AS registered,
    SUM(CASE WHEN f.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed,
    SUM(CASE WHEN f.checkins > 0 THEN 1 ELSE 0 END) AS attended,
    SUM(f.certified) AS completed,
    SUM(f.hours) AS hours"""


def _needs_facts(filters: Filters) -> bool:
    """School level and subject are per enrollment: only stats_fact can answer them. Everything else is
    answered from the pre-aggregated tables (stats_cell + deltas, stats_teacher_years)."""
    return bool(filters.school_level or filters.subject)


def _cell_where(filters: Filters, alias: str = "") -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for column, op, value in (
        ("programme", "=", filters.programme_id),
        ("year", ">=", filters.year_from),
        ("year", "<=", filters.year_to),
        ("county", "=", filters.county_id),
    ):
        if value is not None:
            clauses.append(f"{alias}{column} {op} {{}}")
            args.append(value)
    return (" AND ".join(clauses) or "1 = 1"), args


def _years_where(filters: Filters) -> tuple[str, list[Any]]:
    """(condition on stats_teacher_years rows, args): programme row, county, and the masked years."""
    clauses = ["programme = {}"]
    args: list[Any] = [filters.programme_id or 0]
    if filters.county_id is not None:
        clauses.append("county = {}")
        args.append(filters.county_id)
    return " AND ".join(clauses), args


async def counties() -> dict[int, dict[str, Any]]:
    rows = await db.fetch('SELECT id, code, name, province, aided FROM "county" ORDER BY province, code')
    return {int(r["id"]): {**r, "aided": bool(r["aided"])} for r in rows}


async def programmes() -> dict[int, dict[str, Any]]:
    rows = await db.fetch('SELECT id, slug, name, kind FROM "programme" ORDER BY id')
    return {int(r["id"]): r for r in rows}


async def years() -> list[int]:
    rows = await db.fetch('SELECT DISTINCT year FROM "training_session" ORDER BY year')
    return [int(r["year"]) for r in rows]


async def subjects() -> list[str]:
    rows = await db.fetch("SELECT DISTINCT subject FROM stats_fact WHERE subject <> '' ORDER BY subject")
    return [r["subject"] for r in rows]


async def breakdown(filters: Filters) -> list[dict[str, Any]]:
    """county × year × programme: registered, confirmed, attended, completed, hours (+ rates)."""
    if _needs_facts(filters):
        where, args = fact_where(filters)
        rows = await db.fetch(
            f"SELECT f.county, f.year, f.programme, {COUNT_COLUMNS} FROM stats_fact f WHERE {where} "
            "GROUP BY f.county, f.year, f.programme",
            *args,
        )
    else:
        where, args = _cell_where(filters)
        columns = "county, year, programme, registered, confirmed, attended, completed, hours"
        rows = await db.fetch(
            "SELECT county, year, programme, SUM(registered) AS registered, SUM(confirmed) AS confirmed, "
            "SUM(attended) AS attended, SUM(completed) AS completed, SUM(hours) AS hours FROM ("
            f"SELECT {columns} FROM stats_cell WHERE {where} "
            f"UNION ALL SELECT {columns} FROM stats_cell_delta WHERE {where}) c "
            "GROUP BY county, year, programme HAVING SUM(registered) <> 0",
            *args,
            *args,
        )
    out = [
        with_rates(
            {
                "county": int(r["county"]),
                "year": int(r["year"]),
                "programme": int(r["programme"]),
                **counts_of(r),
            }
        )
        for r in rows
    ]
    out.sort(key=lambda r: (r["county"], r["year"], r["programme"]))
    return out


async def teachers_by_county(filters: Filters) -> dict[int, dict[str, int]]:
    """county → distinct teachers trained (≥1 attended enrollment) and returners: teachers trained in the view who
    had attended any training (whatever the filters) in a year before the last year the view counts for them."""
    if _needs_facts(filters):
        where, args = fact_where(filters)
        rows = await db.fetch(
            "SELECT t.county, COUNT(*) AS trained, "
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM stats_fact o WHERE o.teacher = t.teacher AND o.year < t.last_year"
            "  AND o.checkins > 0) THEN 1 ELSE 0 END) AS returned "
            "FROM (SELECT f.county, f.teacher, MAX(f.year) AS last_year "
            f"      FROM stats_fact f WHERE f.checkins > 0 AND {where} GROUP BY f.county, f.teacher) t "
            "GROUP BY t.county",
            *args,
        )
    else:
        where, args = _years_where(filters)
        mask = year_mask(filters.year_from, filters.year_to)
        # m: the view's years of one (county, teacher). Someone attended before the last of them iff the lowest
        # year bit of any of their rows (programme 0: all programmes, any county) is below m: m's bits are years
        # they attended, so a lowest bit under m is either an earlier year or m holds two years itself.
        rows = await db.fetch(
            "SELECT t.county, COUNT(*) AS trained, "
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM stats_teacher_years o WHERE o.programme = 0"
            "  AND o.teacher = t.teacher AND (o.years_mask & -o.years_mask) < t.m) THEN 1 ELSE 0 END) AS returned "
            f"FROM (SELECT county, teacher, years_mask & {{}} AS m FROM stats_teacher_years WHERE {where}) t "
            "WHERE t.m <> 0 GROUP BY t.county",
            mask,
            *args,
        )
    return {
        int(r["county"]): {"trained": as_int(r["trained"]), "returned": as_int(r["returned"])} for r in rows
    }


async def teachers_trained(filters: Filters) -> int:
    """Distinct persons with at least one attended enrollment (a teacher who moved county counts once)."""
    if _needs_facts(filters):
        where, args = fact_where(filters)
        rows = await db.fetch(
            "SELECT COUNT(*) AS n FROM "
            f"(SELECT DISTINCT f.teacher FROM stats_fact f WHERE f.checkins > 0 AND {where}) t",
            *args,
        )
    else:
        where, args = _years_where(filters)
        rows = await db.fetch(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT teacher FROM stats_teacher_years "
            f"WHERE {where} AND (years_mask & {{}}) <> 0) t",
            *args,
            year_mask(filters.year_from, filters.year_to),
        )
    return as_int(rows[0]["n"])


async def sessions_held(filters: Filters) -> list[dict[str, int]]:
    """(programme, year) → sessions held: sessions with an attended enrollment within the filters
    (one indexed probe per session)."""
    where, args = fact_where(filters)
    session_where, session_args = _cell_where(replace(filters, county_id=None), alias="s.")
    rows = await db.fetch(
        "SELECT s.programme, s.year, COUNT(*) AS sessions FROM training_session s "
        f"WHERE {session_where} "
        f"AND EXISTS (SELECT 1 FROM stats_fact f WHERE f.session = s.id AND f.checkins > 0 AND {where}) "
        "GROUP BY s.programme, s.year",
        *session_args,
        *args,
    )
    return [
        {"programme": int(r["programme"]), "year": int(r["year"]), "sessions": as_int(r["sessions"])}
        for r in rows
    ]


# --- drill-down ------------------------------------------------------------------------------------------------


async def school_counts(filters: Filters) -> list[dict[str, Any]]:
    where, args = fact_where(filters)
    return await db.fetch(
        f"SELECT f.school, COUNT(DISTINCT f.teacher) AS teachers, {COUNT_COLUMNS} "
        f"FROM stats_fact f WHERE {where} GROUP BY f.school",
        *args,
    )


async def schools_of_county(county_id: int) -> dict[int, dict[str, Any]]:
    rows = await db.fetch('SELECT id, name, level FROM "school" WHERE county = {}', county_id)
    return {int(r["id"]): r for r in rows}


async def teacher_count(filters: Filters) -> int:
    where, args = fact_where(filters)
    rows = await db.fetch(f"SELECT COUNT(DISTINCT f.teacher) AS n FROM stats_fact f WHERE {where}", *args)
    return as_int(rows[0]["n"])


async def teacher_counts(filters: Filters, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """A page of teachers with their enrollments, attended, completed, hours and years, most hours first."""
    where, args = fact_where(filters)
    return await db.fetch(
        "SELECT f.teacher, COUNT(*) AS enrollments, SUM(CASE WHEN f.checkins > 0 THEN 1 ELSE 0 END) AS attended, "
        "SUM(f.certified) AS completed, SUM(f.hours) AS hours, MIN(f.year) AS first_year, MAX(f.year) AS last_year "
        f"FROM stats_fact f WHERE {where} GROUP BY f.teacher "
        "ORDER BY SUM(f.hours) DESC, f.teacher LIMIT {} OFFSET {}",
        *args,
        limit,
        offset,
    )


async def teachers_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(
        f'SELECT id, name, phone_masked, school_name, subject, erased FROM "teacher" WHERE id IN ({marks})',
        *ids,
    )
    return {int(p["id"]): p for p in rows}


async def teacher_profile(teacher_id: int) -> dict[str, Any] | None:
    rows = await db.fetch(
        'SELECT id, name, phone_masked, county, school_name, subject, title, erased FROM "teacher" WHERE id = {}',
        teacher_id,
    )
    return rows[0] if rows else None


async def history_rows(teacher_id: int) -> list[dict[str, Any]]:
    """Every enrollment of a teacher with its session, programme, blocks held and certificate, oldest first."""
    return await db.fetch(
        "SELECT f.enrollment, f.status, f.year, f.checkins, f.hours, f.certified, f.county, "
        "s.title, s.starts_on, s.ends_on, s.host_city, p.name AS programme_name, "
        "(SELECT COUNT(*) FROM block b WHERE b.session = s.id AND b.cancelled = FALSE) AS blocks, "
        "r.serial, r.revoked_at, e.school_name AS enrollment_school, e.subject AS enrollment_subject "
        "FROM stats_fact f JOIN training_session s ON s.id = f.session JOIN programme p ON p.id = f.programme "
        "JOIN enrollment e ON e.id = f.enrollment "
        "LEFT JOIN certificate r ON r.enrollment = f.enrollment "
        "WHERE f.teacher = {} ORDER BY s.starts_on, f.enrollment",
        teacher_id,
    )

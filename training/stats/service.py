"""Dashboard queries. Every figure is one GROUP BY over `stats_fact` (see schema.py) joined to small dimension
tables; Python only arranges the already-aggregated rows. Access is decided here, not in templates:
`scope()` pins a coordinator to their own county and refuses any other. Every public reader first runs
`schema.catch_up()` (queued check-in refreshes on PostgreSQL), so the figures are exact at read time."""

# SQL here is assembled only from constant fragments; every value is a bound {} parameter.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from training import db
from training.core.actor import Actor
from training.errors import Forbidden, NotFound, ValidationFailed
from training.programmes.states import ProgrammeKind
from training.stats import schema
from training.stats.figures import Filters, roll_up, total, with_rates, year_mask

PAGE_SIZE = 50


def scope(filters: Filters, principal: Actor) -> Filters:
    """The filters this principal may use: organisers anything; coordinators only their own county."""
    if principal.is_organiser:
        return filters
    if principal.is_coordinator and principal.county_id is not None:
        if filters.county_id is not None and filters.county_id != principal.county_id:
            raise Forbidden()
        return replace(filters, county_id=principal.county_id)
    raise Forbidden()


def _where(filters: Filters, alias: str = "f") -> tuple[str, list[Any]]:
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


def _int(value: Any) -> int:
    return int(value or 0)


def _float(value: Any) -> float:
    return float(value or 0.0)


def _counts(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "registered": _int(row["registered"]),
        "confirmed": _int(row["confirmed"]),
        "attended": _int(row["attended"]),
        "completed": _int(row["completed"]),
        "hours": _float(row["hours"]),
    }


_COUNT_COLUMNS = """COUNT(*) AS registered,
    SUM(CASE WHEN f.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed,
    SUM(CASE WHEN f.checkins > 0 THEN 1 ELSE 0 END) AS attended,
    SUM(f.certified) AS completed,
    SUM(f.hours) AS hours"""


# ---------------------------------------------------------------------------------------------------------------
# Dimensions (small tables)


async def counties() -> dict[int, dict[str, Any]]:
    rows = await db.raw('SELECT id, code, name, province, aided FROM "county" ORDER BY province, code')
    return {int(r["id"]): {**r, "aided": bool(r["aided"])} for r in rows}


async def programmes() -> dict[int, dict[str, Any]]:
    rows = await db.raw('SELECT id, slug, name, kind FROM "programme" ORDER BY id')
    return {int(r["id"]): r for r in rows}


async def years() -> list[int]:
    rows = await db.raw('SELECT DISTINCT year FROM "training_session" ORDER BY year')
    return [int(r["year"]) for r in rows]


async def subjects() -> list[str]:
    rows = await db.raw("SELECT DISTINCT subject FROM stats_fact WHERE subject <> '' ORDER BY subject")
    return [r["subject"] for r in rows]


# ---------------------------------------------------------------------------------------------------------------
# The dashboard's queries (each timed by bench/stats.py)


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


async def breakdown(filters: Filters) -> list[dict[str, Any]]:
    """county × year × programme: registered, confirmed, attended, completed, hours (+ rates)."""
    if _needs_facts(filters):
        where, args = _where(filters)
        rows = await db.raw(
            f"SELECT f.county, f.year, f.programme, {_COUNT_COLUMNS} FROM stats_fact f WHERE {where} "
            "GROUP BY f.county, f.year, f.programme",
            *args,
        )
    else:
        where, args = _cell_where(filters)
        columns = "county, year, programme, registered, confirmed, attended, completed, hours"
        rows = await db.raw(
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
                **_counts(r),
            }
        )
        for r in rows
    ]
    out.sort(key=lambda r: (r["county"], r["year"], r["programme"]))
    return out


def _years_where(filters: Filters) -> tuple[str, list[Any]]:
    """(condition on stats_teacher_years rows, args): programme row, county, and the masked years."""
    clauses = ["programme = {}"]
    args: list[Any] = [filters.programme_id or 0]
    if filters.county_id is not None:
        clauses.append("county = {}")
        args.append(filters.county_id)
    return " AND ".join(clauses), args


async def teachers_by_county(filters: Filters) -> dict[int, dict[str, int]]:
    """county → distinct teachers trained (≥1 attended enrollment) and returners: teachers trained in the view who
    had attended any training (whatever the filters) in a year before the last year the view counts for them."""
    if _needs_facts(filters):
        where, args = _where(filters)
        rows = await db.raw(
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
        rows = await db.raw(
            "SELECT t.county, COUNT(*) AS trained, "
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM stats_teacher_years o WHERE o.programme = 0"
            "  AND o.teacher = t.teacher AND (o.years_mask & -o.years_mask) < t.m) THEN 1 ELSE 0 END) AS returned "
            f"FROM (SELECT county, teacher, years_mask & {{}} AS m FROM stats_teacher_years WHERE {where}) t "
            "WHERE t.m <> 0 GROUP BY t.county",
            mask,
            *args,
        )
    return {int(r["county"]): {"trained": _int(r["trained"]), "returned": _int(r["returned"])} for r in rows}


async def teachers_trained(filters: Filters) -> int:
    """Distinct persons with at least one attended enrollment (a teacher who moved county counts once)."""
    if _needs_facts(filters):
        where, args = _where(filters)
        rows = await db.raw(
            "SELECT COUNT(*) AS n FROM "
            f"(SELECT DISTINCT f.teacher FROM stats_fact f WHERE f.checkins > 0 AND {where}) t",
            *args,
        )
    else:
        where, args = _years_where(filters)
        rows = await db.raw(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT teacher FROM stats_teacher_years "
            f"WHERE {where} AND (years_mask & {{}}) <> 0) t",
            *args,
            year_mask(filters.year_from, filters.year_to),
        )
    return _int(rows[0]["n"])


async def sessions_held(filters: Filters) -> list[dict[str, int]]:
    """(programme, year) → sessions held: sessions with an attended enrollment within the filters
    (one indexed probe per session)."""
    where, args = _where(filters)
    session_where, session_args = _cell_where(replace(filters, county_id=None), alias="s.")
    rows = await db.raw(
        "SELECT s.programme, s.year, COUNT(*) AS sessions FROM training_session s "
        f"WHERE {session_where} "
        f"AND EXISTS (SELECT 1 FROM stats_fact f WHERE f.session = s.id AND f.checkins > 0 AND {where}) "
        "GROUP BY s.programme, s.year",
        *session_args,
        *args,
    )
    return [
        {"programme": int(r["programme"]), "year": int(r["year"]), "sessions": _int(r["sessions"])}
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------------------------
# The assembled dashboard


async def _gather(*queries: Any) -> Any:
    """Run independent read queries side by side on PostgreSQL (each takes its own pooled connection); one after
    the other inside a transaction (one connection) and on SQLite."""
    engine = db.current_engine()
    if db.is_sqlite(engine) or engine.current_transaction.get() is not None:
        return [await q for q in queries]
    return await asyncio.gather(*queries)


@dataclass
class Dashboard:
    filters: Filters
    counties: dict[int, dict[str, Any]]
    programmes: dict[int, dict[str, Any]]
    rows: list[dict[str, Any]]  # county × year × programme
    by_county: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    exchange: list[dict[str, Any]]  # county × year for exchange programmes
    exchange_years: list[int]
    totals: dict[str, Any]
    headline: dict[str, Any]
    sessions_by_programme: dict[int, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "filters": self.filters.__dict__,
            "headline": self.headline,
            "totals": self.totals,
            "rows": self.rows,
            "by_county": self.by_county,
            "by_year": self.by_year,
            "exchange": self.exchange,
        }


async def dashboard(filters: Filters, principal: Actor) -> Dashboard:
    filters = scope(filters, principal)
    await schema.catch_up()
    county_dim, programme_dim, rows, teachers, trained, held = await _gather(
        counties(),
        programmes(),
        breakdown(filters),
        teachers_by_county(filters),
        teachers_trained(filters),
        sessions_held(filters),
    )

    def named(row: dict[str, Any]) -> dict[str, Any]:
        county = county_dim.get(row["county"], {})
        programme = programme_dim.get(row["programme"], {})
        return {
            **row,
            "county_name": county.get("name", ""),
            "county_code": county.get("code", ""),
            "programme_name": programme.get("name", ""),
            "programme_kind": programme.get("kind", ""),
        }

    rows = [named(r) for r in rows]
    per_county = roll_up(rows, lambda r: r["county"])
    county_ids = sorted(set(per_county) | set(teachers), key=lambda c: county_dim.get(c, {}).get("code", ""))
    by_county = []
    for cid in county_ids:
        counts = per_county.get(cid) or with_rates(
            {"registered": 0, "confirmed": 0, "attended": 0, "completed": 0, "hours": 0.0}
        )
        t = teachers.get(cid, {"trained": 0, "returned": 0})
        by_county.append(
            {
                "county": cid,
                "county_name": county_dim.get(cid, {}).get("name", ""),
                "county_code": county_dim.get(cid, {}).get("code", ""),
                **counts,
                **t,
            }
        )
    per_year = roll_up(rows, lambda r: r["year"])
    by_year = [{"year": y, **per_year[y]} for y in sorted(per_year)]

    exchange_ids = {pid for pid, p in programme_dim.items() if p["kind"] == ProgrammeKind.EXCHANGE}
    exchange_rows = [r for r in rows if r["programme"] in exchange_ids]
    ex = roll_up(exchange_rows, lambda r: (r["county"], r["year"]))
    exchange = [
        {"county": c, "year": y, "county_name": county_dim.get(c, {}).get("name", ""), **ex[(c, y)]}
        for c, y in sorted(ex, key=lambda k: (county_dim.get(k[0], {}).get("code", ""), k[1]))
    ]
    sessions_by_programme: dict[int, int] = {}
    for h in held:
        sessions_by_programme[h["programme"]] = sessions_by_programme.get(h["programme"], 0) + h["sessions"]
    exchange_years = sorted({h["year"] for h in held if h["programme"] in exchange_ids})
    aided = {cid for cid, c in county_dim.items() if c["aided"]}
    totals = total(rows)
    headline = {
        "sessions_held": sum(sessions_by_programme.values()),
        "sessions_by_programme": {
            programme_dim[p]["slug"]: n
            for p, n in sorted(sessions_by_programme.items())
            if p in programme_dim
        },
        "teachers_trained": trained,
        "aided_counties_reached": len({c for c, t in teachers.items() if t["trained"] > 0} & aided),
        "exchange_years": len(exchange_years),
        "enrollments": totals["registered"],
        "certificates": totals["completed"],
        "hours": totals["hours"],
    }
    return Dashboard(
        filters=filters,
        counties=county_dim,
        programmes=programme_dim,
        rows=rows,
        by_county=by_county,
        by_year=by_year,
        exchange=exchange,
        exchange_years=exchange_years,
        totals=totals,
        headline=headline,
        sessions_by_programme=sessions_by_programme,
    )


# ---------------------------------------------------------------------------------------------------------------
# Drill-down


def _require_county(principal: Actor, county_id: int) -> None:
    if not principal.may_see_county(county_id):
        raise Forbidden()


async def county_schools(county_id: int, filters: Filters, principal: Actor) -> list[dict[str, Any]]:
    """One county's schools: distinct teachers, enrollments, attended, completed, hours."""
    _require_county(principal, county_id)
    await schema.catch_up()
    where, args = _where(replace(filters, county_id=county_id))
    rows = await db.raw(
        f"SELECT f.school, COUNT(DISTINCT f.teacher) AS teachers, {_COUNT_COLUMNS} "
        f"FROM stats_fact f WHERE {where} GROUP BY f.school",
        *args,
    )
    names = {
        int(r["id"]): r
        for r in await db.raw('SELECT id, name, level FROM "school" WHERE county = {}', county_id)
    }
    out = []
    for r in rows:
        sid = r["school"]
        school = names.get(int(sid)) if sid is not None else None
        out.append(
            with_rates(
                {
                    "school": sid,
                    "school_name": school["name"] if school else "",
                    "level": school["level"] if school else "",
                    "teachers": _int(r["teachers"]),
                    **_counts(r),
                }
            )
        )
    out.sort(key=lambda r: (-r["registered"], r["school_name"]))
    return out


async def county_teachers(
    county_id: int, filters: Filters, principal: Actor, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[dict[str, Any]], int]:
    """One county's teachers (masked phone), busiest first; returns (page rows, total teachers)."""
    _require_county(principal, county_id)
    await schema.catch_up()
    where, args = _where(replace(filters, county_id=county_id))
    count = await db.raw(f"SELECT COUNT(DISTINCT f.teacher) AS n FROM stats_fact f WHERE {where}", *args)
    offset = max(0, page - 1) * page_size
    rows = await db.raw(
        "SELECT f.teacher, COUNT(*) AS enrollments, SUM(CASE WHEN f.checkins > 0 THEN 1 ELSE 0 END) AS attended, "
        "SUM(f.certified) AS completed, SUM(f.hours) AS hours, MIN(f.year) AS first_year, MAX(f.year) AS last_year "
        f"FROM stats_fact f WHERE {where} GROUP BY f.teacher "
        "ORDER BY SUM(f.hours) DESC, f.teacher LIMIT {} OFFSET {}",
        *args,
        page_size,
        offset,
    )
    ids = [int(r["teacher"]) for r in rows]
    people: dict[int, dict[str, Any]] = {}
    if ids:
        marks = ", ".join("{}" for _ in ids)
        for p in await db.raw(
            f'SELECT id, name, phone_masked, school_name, subject, erased FROM "teacher" WHERE id IN ({marks})',
            *ids,
        ):
            people[int(p["id"])] = p
    out = []
    for r in rows:
        person = people.get(int(r["teacher"]), {})
        out.append(
            {
                "teacher": int(r["teacher"]),
                "name": person.get("name", ""),
                "phone_masked": person.get("phone_masked", ""),
                "school_name": person.get("school_name", ""),
                "subject": person.get("subject", ""),
                "enrollments": _int(r["enrollments"]),
                "attended": _int(r["attended"]),
                "completed": _int(r["completed"]),
                "hours": _float(r["hours"]),
                "first_year": _int(r["first_year"]),
                "last_year": _int(r["last_year"]),
            }
        )
    return out, _int(count[0]["n"])


async def teacher_history(teacher_id: int, principal: Actor) -> dict[str, Any]:
    """A teacher across the years: every enrollment, its attendance and hours, its certificate."""
    people = await db.raw(
        'SELECT id, name, phone_masked, county, school_name, subject, title, erased FROM "teacher" WHERE id = {}',
        teacher_id,
    )
    if not people:
        raise NotFound()
    person = people[0]
    _require_county(principal, int(person["county"]))
    await schema.catch_up()
    rows = await db.raw(
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
    history = [
        {
            "enrollment": int(r["enrollment"]),
            "year": int(r["year"]),
            "programme_name": r["programme_name"],
            "title": r["title"],
            "starts_on": r["starts_on"],
            "ends_on": r["ends_on"],
            "host_city": r["host_city"],
            "status": r["status"],
            "checkins": _int(r["checkins"]),
            "blocks": _int(r["blocks"]),
            "hours": _float(r["hours"]),
            "certified": bool(r["certified"]),
            "serial": r["serial"] or "",
            "revoked": r["revoked_at"] is not None,
            # where she taught and what, that year (the enrollment's snapshot), beside today's profile above
            "school_name": r["enrollment_school"] or "",
            "subject": r["enrollment_subject"] or "",
        }
        for r in rows
    ]
    county_dim = await counties()
    return {
        "teacher": int(person["id"]),
        "name": person["name"],
        "phone_masked": person["phone_masked"],
        "county": int(person["county"]),
        "county_name": county_dim.get(int(person["county"]), {}).get("name", ""),
        "school_name": person["school_name"],
        "subject": person["subject"],
        "title": person["title"],
        "history": history,
        "total_hours": sum(h["hours"] for h in history),
        "certificates": sum(1 for h in history if h["certified"]),
        "years": sorted({h["year"] for h in history if h["checkins"] > 0}),
    }


# ---------------------------------------------------------------------------------------------------------------
# Filters from a query string (pages, API, exports, CLI share it)

SCHOOL_LEVELS = ("kindergarten", "primary", "junior", "senior", "nine_year", "vocational", "other")


def filters_from_query(query: Mapping[str, str]) -> Filters:
    """programme, from, to, county (ids / years), level, subject; empty values mean "all"."""
    errors: dict[str, str] = {}

    def integer(name: str, low: int, high: int) -> int | None:
        raw = (query.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            errors[name] = "invalid_number"
            return None
        if not low <= value <= high:
            errors[name] = "invalid_number"
            return None
        return value

    programme = integer("programme", 1, 2**31 - 1)
    year_from = integer("from", 1900, 2200)
    year_to = integer("to", 1900, 2200)
    county = integer("county", 1, 2**31 - 1)
    level = (query.get("level") or "").strip() or None
    if level is not None and level not in SCHOOL_LEVELS:
        errors["level"] = "invalid_choice"
    subject = (query.get("subject") or "").strip()[:32] or None
    if errors:
        raise ValidationFailed(errors)
    return Filters(programme, year_from, year_to, county, level, subject)

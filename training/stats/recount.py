"""A plain-Python recount of the dashboard's figures from base rows, one row at a time.

The oracle the tests hold the SQL to (tests/stats/test_recount_property.py), and the executable form of the
definitions in docs/stats.md. Deliberately naive: loops and sets, nothing shared with the SQL path.
Pure: rows in (dicts as the tables hold them), figures out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from training.programmes.states import ProgrammeKind
from training.stats.figures import Filters

Row = dict[str, Any]


@dataclass
class BaseRows:
    counties: list[Row]  # id, aided
    programmes: list[Row]  # id, kind
    sessions: list[Row]  # id, programme, year, excused_counts (optional)
    blocks: list[Row]  # id, session, hours, cancelled
    schools: list[Row]  # id, level
    teachers: list[Row]  # id, subject (today's; the enrollment keeps its own)
    enrollments: list[Row]  # id, session, teacher, county, school, subject, status
    check_ins: list[Row]  # enrollment, block, voided_at (optional: a voided check-in counts nothing)
    certificates: list[Row]  # enrollment, revoked_at
    marks: list[Row] = field(default_factory=list)  # enrollment, block, kind (late / excused)


@dataclass
class Recount:
    cells: dict[tuple[int, int, int], dict[str, Any]] = field(
        default_factory=dict
    )  # (county, year, programme)
    teachers_by_county: dict[int, dict[str, int]] = field(default_factory=dict)
    teachers_trained: int = 0
    sessions_by_programme: dict[int, int] = field(default_factory=dict)
    exchange_years: int = 0
    aided_counties_reached: int = 0


def _attendance(rows: BaseRows) -> tuple[dict[int, int], dict[int, float]]:
    """Per enrollment: attended blocks and hours, counting blocks that took place (not cancelled). Attended: a
    check-in not voided, a late mark, or an excused mark in a session whose rule (`excused_counts`) counts it."""
    block = {b["id"]: b for b in rows.blocks}
    excused_count = {s["id"] for s in rows.sessions if s.get("excused_counts")}
    attended = {(c["enrollment"], c["block"]) for c in rows.check_ins if c.get("voided_at") is None}
    for m in rows.marks:
        if m["kind"] == "late" or (m["kind"] == "excused" and block[m["block"]]["session"] in excused_count):
            attended.add((m["enrollment"], m["block"]))
    checkins: dict[int, int] = {}
    hours: dict[int, float] = {}
    for enrollment, block_id in sorted(attended):
        c = {"enrollment": enrollment, "block": block_id}
        b = block[block_id]
        if b["cancelled"]:
            continue
        checkins[c["enrollment"]] = checkins.get(c["enrollment"], 0) + 1
        hours[c["enrollment"]] = hours.get(c["enrollment"], 0.0) + b["hours"]
    return checkins, hours


def _selected(e: Row, s: Row, school_level: dict[int, str], filters: Filters) -> bool:
    """Whether enrollment `e` (in session `s`) is in the view the filters describe."""
    if filters.programme_id is not None and s["programme"] != filters.programme_id:
        return False
    if filters.year_from is not None and s["year"] < filters.year_from:
        return False
    if filters.year_to is not None and s["year"] > filters.year_to:
        return False
    if filters.county_id is not None and e["county"] != filters.county_id:
        return False
    if filters.school_level and (
        e["school"] is None or school_level.get(e["school"]) != filters.school_level
    ):
        return False
    return not (filters.subject and (e.get("subject") or "") != filters.subject)


def _first_years(rows: BaseRows, session: dict[int, Row], checkins: dict[int, int]) -> dict[int, int]:
    """Per teacher: the first year she attended any training (any programme, county or year, filters aside)."""
    first_year: dict[int, int] = {}
    for e in rows.enrollments:
        if checkins.get(e["id"], 0) > 0:
            year = session[e["session"]]["year"]
            first_year[e["teacher"]] = min(year, first_year.get(e["teacher"], year))
    return first_year


def recount(rows: BaseRows, filters: Filters) -> Recount:
    session = {s["id"]: s for s in rows.sessions}
    school_level = {s["id"]: s["level"] for s in rows.schools}
    kind = {p["id"]: p["kind"] for p in rows.programmes}
    aided = {c["id"] for c in rows.counties if c["aided"]}
    checkins, hours = _attendance(rows)
    certified = {c["enrollment"] for c in rows.certificates if c["revoked_at"] is None}

    out = Recount()
    trained_years: dict[tuple[int, int], set[int]] = {}
    trained_people: set[int] = set()
    held: dict[int, set[int]] = {}
    for e in rows.enrollments:
        s = session[e["session"]]
        if not _selected(e, s, school_level, filters):
            continue
        key = (e["county"], s["year"], s["programme"])
        cell = out.cells.setdefault(
            key, {"registered": 0, "confirmed": 0, "attended": 0, "completed": 0, "hours": 0.0}
        )
        cell["registered"] += 1
        cell["confirmed"] += int(e["status"] == "confirmed")
        cell["completed"] += int(e["id"] in certified)
        cell["hours"] += hours.get(e["id"], 0.0)
        if checkins.get(e["id"], 0) > 0:
            cell["attended"] += 1
            trained_years.setdefault((e["county"], e["teacher"]), set()).add(s["year"])
            trained_people.add(e["teacher"])
            held.setdefault(s["programme"], set()).add(s["id"])
    # "Came back": trained in the view and had attended any training in a year before the last year the view
    # counts for them.
    first_year = _first_years(rows, session, checkins)
    for (county, teacher), years in trained_years.items():
        t = out.teachers_by_county.setdefault(county, {"trained": 0, "returned": 0})
        t["trained"] += 1
        t["returned"] += int(first_year[teacher] < max(years))
    out.teachers_trained = len(trained_people)
    out.sessions_by_programme = {p: len(ids) for p, ids in held.items()}
    out.exchange_years = len(
        {session[sid]["year"] for p, ids in held.items() if kind[p] == ProgrammeKind.EXCHANGE for sid in ids}
    )
    out.aided_counties_reached = len({county for county, _ in trained_years} & aided)
    return out

"""Every figure the dashboard service returns equals a plain-Python recount of the same rows, on random
datasets written straight into the tables, before and after random edits (revocations, undone check-ins,
status changes, cancelled blocks, changed hours, moved sessions, deleted enrollments)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kit.sync import run_sync
from tests.stats.world import LEVELS, NOW, SUBJECTS, YEARS, clear, worlds, write
from training import db
from training.core.actor import Actor
from training.stats import schema, service
from training.stats.figures import SUM_KEYS, Filters
from training.stats.recount import BaseRows, recount

ORGANISER = Actor(1, "org", "org", "organiser")

filters_strategy = st.builds(
    Filters,
    programme_id=st.sampled_from([None, 1, 2]),
    year_from=st.sampled_from([None, *YEARS]),
    year_to=st.sampled_from([None, *YEARS]),
    county_id=st.sampled_from([None, 1, 2, 3]),
    school_level=st.sampled_from([None, *LEVELS]),
    subject=st.sampled_from([None, *SUBJECTS]),
)

edits_strategy = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "revoke",
                "unrevoke",
                "uncheck",
                "status",
                "cancel",
                "hours",
                "year",
                "subject",
                "delete",
                "void",
                "late",
                "excuse",
                "rule",
            ]
        ),
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    max_size=6,
)


async def apply_attendance_edit(world: BaseRows, kind: str, a: int, b: int) -> bool:
    """Attendance corrections: undo a scan, mark late or excused, flip the session's excused rule."""
    if kind == "void" and world.check_ins:  # staff undo a scan: kept, counted nowhere
        c = world.check_ins[a % len(world.check_ins)]
        c["voided_at"] = NOW
        await db.fetch(
            "UPDATE check_in SET voided_at = {}, void_reason = 'wrong person' WHERE enrollment = {} AND block = {}",
            NOW,
            c["enrollment"],
            c["block"],
        )
    elif kind in ("late", "excuse") and world.enrollments and world.blocks:
        e = world.enrollments[a % len(world.enrollments)]
        mine = [blk for blk in world.blocks if blk["session"] == e["session"]]
        if mine:
            blk = mine[b % len(mine)]
            mark = "late" if kind == "late" else "excused"
            world.marks[:] = [m for m in world.marks if (m["enrollment"], m["block"]) != (e["id"], blk["id"])]
            world.marks.append({"enrollment": e["id"], "block": blk["id"], "kind": mark})
            await db.fetch(
                "DELETE FROM attendance_mark WHERE enrollment = {} AND block = {}", e["id"], blk["id"]
            )
            await db.fetch(
                "INSERT INTO attendance_mark (enrollment, block, kind, marked_at) VALUES ({}, {}, {}, {})",
                e["id"],
                blk["id"],
                mark,
                NOW,
            )
    elif kind == "rule" and world.sessions:  # the session's rule: excused blocks count, or not
        s = world.sessions[a % len(world.sessions)]
        s["excused_counts"] = not s.get("excused_counts", False)
        await db.fetch(
            "UPDATE training_session SET excused_counts = {} WHERE id = {}", s["excused_counts"], s["id"]
        )
    else:
        return False
    return True


async def apply_edit(world: BaseRows, kind: str, a: int, b: int) -> None:
    """One edit, to the database (plain UPDATE/DELETE, as other domains would write) and to the world."""
    if await apply_attendance_edit(world, kind, a, b):
        return
    if kind == "fold":
        await schema.fold()
    elif kind in ("revoke", "unrevoke") and world.certificates:
        cert = world.certificates[a % len(world.certificates)]
        cert["revoked_at"] = NOW if kind == "revoke" else None
        await db.fetch(
            "UPDATE certificate SET revoked_at = {} WHERE enrollment = {}",
            cert["revoked_at"],
            cert["enrollment"],
        )
    elif kind == "uncheck" and world.check_ins:
        c = world.check_ins.pop(a % len(world.check_ins))
        await db.fetch(
            "DELETE FROM check_in WHERE enrollment = {} AND block = {}", c["enrollment"], c["block"]
        )
    elif kind == "status" and world.enrollments:
        e = world.enrollments[a % len(world.enrollments)]
        e["status"] = ["confirmed", "cancelled", "waitlisted"][b % 3]
        await db.fetch("UPDATE enrollment SET status = {} WHERE id = {}", e["status"], e["id"])
    elif kind == "cancel" and world.blocks:
        blk = world.blocks[a % len(world.blocks)]
        blk["cancelled"] = not blk["cancelled"]
        await db.fetch("UPDATE block SET cancelled = {} WHERE id = {}", blk["cancelled"], blk["id"])
    elif kind == "hours" and world.blocks:
        blk = world.blocks[a % len(world.blocks)]
        blk["hours"] = [1.5, 3.0, 4.5][b % 3]
        await db.fetch("UPDATE block SET hours = {} WHERE id = {}", blk["hours"], blk["id"])
    elif kind == "year" and world.sessions:
        s = world.sessions[a % len(world.sessions)]
        s["year"] = YEARS[b % len(YEARS)]
        await db.fetch("UPDATE training_session SET year = {} WHERE id = {}", s["year"], s["id"])
    elif kind == "subject" and world.teachers:
        t = world.teachers[a % len(world.teachers)]
        t["subject"] = SUBJECTS[b % len(SUBJECTS)]
        await db.fetch("UPDATE teacher SET subject = {} WHERE id = {}", t["subject"], t["id"])
    elif kind == "delete" and world.enrollments:
        e = world.enrollments.pop(a % len(world.enrollments))
        world.check_ins[:] = [c for c in world.check_ins if c["enrollment"] != e["id"]]
        world.certificates[:] = [c for c in world.certificates if c["enrollment"] != e["id"]]
        world.marks[:] = [m for m in world.marks if m["enrollment"] != e["id"]]
        await db.fetch("DELETE FROM certificate WHERE enrollment = {}", e["id"])
        await db.fetch("DELETE FROM attendance_mark WHERE enrollment = {}", e["id"])
        await db.fetch("DELETE FROM check_in WHERE enrollment = {}", e["id"])
        await db.fetch("DELETE FROM enrollment WHERE id = {}", e["id"])


async def check(world: BaseRows, filters: Filters) -> None:
    expected = recount(world, filters)
    d = await service.dashboard(filters, ORGANISER)
    cells = {(r["county"], r["year"], r["programme"]): {k: r[k] for k in SUM_KEYS} for r in d.rows}
    assert cells == expected.cells
    for r in d.rows:
        assert r["attendance_rate"] == (r["attended"] / r["confirmed"] if r["confirmed"] else None)
        assert r["completion_rate"] == (r["completed"] / r["confirmed"] if r["confirmed"] else None)
    zero = {"trained": 0, "returned": 0}
    got_teachers = {c["county"]: {"trained": c["trained"], "returned": c["returned"]} for c in d.by_county}
    for county in set(got_teachers) | set(expected.teachers_by_county):
        assert got_teachers.get(county, zero) == expected.teachers_by_county.get(county, zero), county
    assert d.headline["teachers_trained"] == expected.teachers_trained
    assert d.sessions_by_programme == expected.sessions_by_programme
    assert d.headline["exchange_years"] == expected.exchange_years
    assert d.headline["aided_counties_reached"] == expected.aided_counties_reached
    # The per-year and per-county roll-ups and the totals add up to the same cells.
    for key in SUM_KEYS:
        total = sum(c[key] for c in expected.cells.values())
        assert d.totals[key] == total
        assert sum(y[key] for y in d.by_year) == total
    # Drill-down: a county's schools add up to the county's cells.
    for county in (1, 2, 3):
        schools = await service.county_schools(county, filters, ORGANISER)
        in_county = recount(world, replace(filters, county_id=county)).cells
        for key in ("registered", "attended", "completed", "hours"):
            assert sum(getattr(s, key) for s in schools) == sum(c[key] for c in in_county.values())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), filters=filters_strategy, edits=edits_strategy)
def test_every_dashboard_figure_equals_a_plain_recount(
    engine: Any, world: BaseRows, filters: Filters, edits: Any
) -> None:
    async def scenario() -> None:
        # One transaction per example: one connection on PostgreSQL (the test engine has no pool).
        async with db.transaction():
            await clear()
            await schema.catch_up()  # PostgreSQL queues the removal of the deleted enrollments' fact rows
            assert (await db.fetch("SELECT COUNT(*) AS n FROM stats_fact"))[0]["n"] == 0
            await write(world)
            await check(world, filters)
            await check(world, Filters())
            for kind, a, b in edits:
                await apply_edit(world, kind, a, b)
            await check(world, filters)
            await check(world, Filters())
            # What the triggers kept equals what a full rebuild computes.
            kept = await derived()
            await schema.rebuild()
            assert await derived() == kept

    run_sync(scenario())


async def derived() -> tuple[Any, ...]:
    await schema.catch_up()
    cells = await db.fetch(
        "SELECT county, year, programme, SUM(registered) AS r, SUM(confirmed) AS c, SUM(attended) AS a, "
        "SUM(completed) AS d, SUM(hours) AS h FROM (SELECT * FROM stats_cell UNION ALL SELECT * FROM stats_cell_delta) x "
        "GROUP BY county, year, programme HAVING SUM(registered) <> 0 ORDER BY county, year, programme"
    )
    years = await db.fetch("SELECT * FROM stats_teacher_years ORDER BY county, teacher, programme")
    facts = await db.fetch("SELECT * FROM stats_fact ORDER BY enrollment")
    return [dict(r) for r in cells], [dict(r) for r in years], [dict(r) for r in facts]

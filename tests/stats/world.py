"""Random small datasets written straight into the tables (no services), plus the same rows as plain dicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from hypothesis import strategies as st

from training import db
from training.certificates.tables import Certificate
from training.checkin.tables import CheckIn
from training.enrollment.tables import ENROLLMENT_STATUSES, Enrollment
from training.people.tables import County, School, Teacher
from training.programmes.tables import Block, Programme, TrainingSession
from training.stats.recount import BaseRows

LEVELS = ("primary", "junior", "senior", "kindergarten")
SUBJECTS = ("语文", "数学", "英语")
YEARS = (2016, 2017, 2018, 2019)
NOW = datetime(2020, 1, 1, tzinfo=UTC)


@st.composite
def worlds(draw: Any) -> BaseRows:
    counties = [{"id": 1, "aided": True}, {"id": 2, "aided": True}, {"id": 3, "aided": False}]
    programmes = [{"id": 1, "kind": "summer"}, {"id": 2, "kind": "exchange"}]
    schools = [
        {"id": i, "county": 1 + (i - 1) % 3, "level": draw(st.sampled_from(LEVELS))} for i in range(1, 5)
    ]
    sessions = [
        {"id": i, "programme": draw(st.sampled_from([1, 2])), "year": draw(st.sampled_from(YEARS))}
        for i in range(1, draw(st.integers(1, 4)) + 1)
    ]
    blocks = []
    for s in sessions:
        for _ in range(draw(st.integers(1, 3))):
            blocks.append(
                {
                    "id": len(blocks) + 1,
                    "session": s["id"],
                    "hours": draw(st.sampled_from([1.5, 3.0])),
                    "cancelled": draw(st.integers(0, 3)) == 0,
                }
            )
    teachers = [
        {"id": i, "subject": draw(st.sampled_from(SUBJECTS)), "county": draw(st.sampled_from([1, 2, 3]))}
        for i in range(1, draw(st.integers(1, 6)) + 1)
    ]
    enrollments = []
    for s in sessions:
        for t in teachers:
            if draw(st.booleans()):
                enrollments.append(
                    {
                        "id": len(enrollments) + 1,
                        "session": s["id"],
                        "teacher": t["id"],
                        # usually the teacher's county; sometimes another (they moved)
                        "county": t["county"]
                        if draw(st.integers(0, 4))
                        else draw(st.sampled_from([1, 2, 3])),
                        "school": draw(st.sampled_from([None, 1, 2, 3, 4])),
                        # the subject taught then: usually today's, sometimes another (it changed since)
                        "subject": t["subject"]
                        if draw(st.integers(0, 3))
                        else draw(st.sampled_from(SUBJECTS)),
                        "status": draw(st.sampled_from((*ENROLLMENT_STATUSES, "confirmed", "confirmed"))),
                    }
                )
    check_ins = [
        {"enrollment": e["id"], "block": b["id"]}
        for e in enrollments
        for b in blocks
        if b["session"] == e["session"] and draw(st.integers(0, 2))
    ]
    certificates = []
    for e in enrollments:
        state = draw(st.sampled_from(["none", "valid", "valid", "revoked"]))
        if state != "none":
            certificates.append({"enrollment": e["id"], "revoked_at": NOW if state == "revoked" else None})
    return BaseRows(
        counties, programmes, sessions, blocks, schools, teachers, enrollments, check_ins, certificates
    )


async def clear() -> None:
    """Empty every table the world writes (call inside a transaction)."""
    for table in (
        "certificate",
        "attendance_mark",
        "check_in",
        "enrollment",
        "teacher",
        "block",
        "training_session",
        "county_quota",
        "programme",
        "school",
        "county",
    ):
        await db.fetch(f'DELETE FROM "{table}"')


async def write(world: BaseRows) -> None:
    """Insert the world's rows directly (explicit ids); the statistics triggers see ordinary inserts.
    Call inside a transaction."""
    await County.insert(
        *[
            County(
                id=c["id"],
                code=f"51{c['id']:04d}",
                name=f"县{c['id']}",
                province="四川省",
                aided=c["aided"],
            )
            for c in world.counties
        ]
    )
    await School.insert(
        *[
            School(id=s["id"], county=s["county"], name=f"学校{s['id']}", level=s["level"])
            for s in world.schools
        ]
    )
    await Programme.insert(
        *[
            Programme(id=p["id"], slug=f"p{p['id']}", name=f"项目{p['id']}", kind=p["kind"])
            for p in world.programmes
        ]
    )
    await TrainingSession.insert(
        *[
            TrainingSession(
                id=s["id"],
                programme=s["programme"],
                year=s["year"],
                title=f"班{s['id']}",
                starts_on=date(s["year"], 7, 1),
                ends_on=date(s["year"], 7, 4),
            )
            for s in world.sessions
        ]
    )
    await Block.insert(
        *[
            Block(
                id=b["id"],
                session=b["session"],
                day=date(2019, 7, 1),
                starts_at=time(8, 30),
                ends_at=time(11, 30),
                hours=b["hours"],
                cancelled=b["cancelled"],
            )
            for b in world.blocks
        ]
    )
    await Teacher.insert(
        *[
            Teacher(
                id=t["id"],
                id_hash=f"h{t['id']}",
                id_encrypted="x",
                id_masked="x",
                name=f"教师{t['id']}",
                phone_hash=f"p{t['id']}",
                phone_encrypted="x",
                phone_masked="138****0000",
                county=t["county"],
                subject=t["subject"],
            )
            for t in world.teachers
        ]
    )
    if world.enrollments:
        await Enrollment.insert(
            *[
                Enrollment(
                    id=e["id"],
                    session=e["session"],
                    teacher=e["teacher"],
                    county=e["county"],
                    school=e["school"],
                    subject=e.get("subject") or "",
                    status=e["status"],
                    manual_code=f"M{e['id']:07d}",
                )
                for e in world.enrollments
            ]
        )
    if world.check_ins:
        await CheckIn.insert(
            *[
                CheckIn(
                    enrollment=c["enrollment"],
                    block=c["block"],
                    scanned_at=NOW,
                    client_id=f"c{c['enrollment']}-{c['block']}",
                )
                for c in world.check_ins
            ]
        )
    for n, c in enumerate(world.certificates, start=1):
        await Certificate.insert(
            Certificate(
                enrollment=c["enrollment"],
                session=_session_of(world, c["enrollment"]),
                seq=n,
                serial=f"S{n:06d}",
                verification_code="V",
                teacher_name="x",
                session_title="x",
                session_dates="x",
                hours=1.0,
                revoked_at=c["revoked_at"],
            )
        )


def _session_of(world: BaseRows, enrollment_id: int) -> int:
    return next(e["session"] for e in world.enrollments if e["id"] == enrollment_id)

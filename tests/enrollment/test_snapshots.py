"""An enrollment keeps the profile as it was when it was made: the 2019 roster, its export, its certificate and
the 2019 statistics read the same after the teacher registers in 2027 from another school, with another subject
and title. Both engines."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.enrollment.factory import make_counties, make_session, registration
from tests.kit.sync import run_sync
from training import db
from training.certificates import candidates, exceptions, issuing
from training.core.actor import Actor
from training.enrollment import rosters, service, snapshots
from training.enrollment.tables import Enrollment
from training.people.tables import Teacher
from training.programmes.tables import TrainingSession
from training.stats import schema
from training.stats import service as stats

ORGANISER = Actor(1, "org", "org", "organiser")
SNAPSHOT_KEYS = ("name", "school_name", "subject", "grade_band", "title", "county_name")


def _profile(rows: list[rosters.RosterEntry]) -> list[dict[str, Any]]:
    return [{k: getattr(r, k) for k in SNAPSHOT_KEYS} for r in rows]


async def _subjects_of(session_id: int) -> list[str]:
    await schema.catch_up()
    rows = await db.fetch("SELECT subject FROM stats_fact WHERE session = {} ORDER BY enrollment", session_id)
    return [r["subject"] for r in rows]


def test_the_2019_roster_export_certificate_and_statistics_stay_after_a_2027_registration(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        jiange = counties[0]
        past = await make_session(counties, title="第9期暑期教师培训班")
        values = registration(
            jiange, 1, name="王 芳", school="剑阁县实验小学", subject="语文", title="一级教师"
        )
        first = await service.register(past, values, base_url="http://x")
        assert first.status == "confirmed"
        await TrainingSession.update(
            {
                TrainingSession.year: 2019,
                TrainingSession.starts_on: date(2019, 7, 15),
                TrainingSession.ends_on: date(2019, 7, 18),
                TrainingSession.status: "closed",
            }
        ).where(TrainingSession.id == past)
        roster_before, _ = await rosters.roster(past, rosters.RosterFilter())
        export_before = await rosters.export(past, rosters.RosterFilter(), "csv", actor=ORGANISER)
        assert _profile(roster_before) == [
            {
                "name": "王芳",
                "school_name": "剑阁县实验小学",
                "subject": "语文",
                "grade_band": "primary",
                "title": "一级教师",
                "county_name": "剑阁县",
            }
        ]
        assert await _subjects_of(past) == ["语文"]

        # 2027: the same teacher (same ID number and phone) registers from another school, subject and title.
        now = await make_session(counties, title="第17期暑期教师培训班")
        later = registration(
            jiange,
            1,
            name="王芳",
            school="剑阁县第一中学",
            subject="数学",
            title="高级教师",
            grade_band="senior",
        )
        second = await service.register(now, later, base_url="http://x")
        assert second.created and second.enrollment_id != first.enrollment_id

        roster_after, _ = await rosters.roster(past, rosters.RosterFilter())
        assert _profile(roster_after) == _profile(roster_before)
        assert await rosters.export(past, rosters.RosterFilter(), "csv", actor=ORGANISER) == export_before
        assert await _subjects_of(past) == ["语文"]
        current, _ = await rosters.roster(now, rosters.RosterFilter())
        assert [(r.school_name, r.subject, r.title) for r in current] == [
            ("剑阁县第一中学", "数学", "高级教师")
        ]
        assert await _subjects_of(now) == ["数学"]
        # A teacher who changes subject on her record later does not move the 2019 statistics either.
        teacher = (
            await Enrollment.select(Enrollment.teacher).where(Enrollment.id == first.enrollment_id).first()
        )
        await Teacher.update({Teacher.subject: "英语"}).where(Teacher.id == teacher["teacher"])
        assert await _subjects_of(past) == ["语文"]
        history = await stats.teacher_history(int(teacher["teacher"]), ORGANISER)
        assert [(h.year, h.school_name, h.subject) for h in history.history] == [
            (2019, "剑阁县实验小学", "语文"),
            (2027, "剑阁县第一中学", "数学"),
        ]
        mine = await service.view(first.enrollment_id)
        assert (mine.teacher_name, mine.school_name) == ("王芳", "剑阁县实验小学")

        # The 2019 certificate, issued now, prints the 2019 school.
        await exceptions.set_exception(first.enrollment_id, True, "补发 2019 年证书", ORGANISER)
        state = await candidates.session_eligibility(past)
        (candidate,) = state.eligible
        assert (candidate.teacher_name, candidate.school_name) == ("王芳", "剑阁县实验小学")
        (cert,) = await issuing.claim_certificates(state.session, [candidate])
        assert (cert.teacher_name, cert.school_name, cert.county_name) == (
            "王芳",
            "剑阁县实验小学",
            "剑阁县",
        )

    run_sync(scenario())


def test_a_name_typed_with_spaces_is_found_by_the_roster_search_however_it_is_typed(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        session_id = await make_session(counties)
        await service.register(session_id, registration(counties[0], 1, name="王　芳"), base_url="http://x")
        await service.register(session_id, registration(counties[0], 2, name="李明"), base_url="http://x")
        # a row stored before names were normalised
        legacy = await service.register(
            session_id, registration(counties[0], 3, name="杨娟"), base_url="http://x"
        )
        await Enrollment.update({Enrollment.teacher_name: "杨 娟"}).where(
            Enrollment.id == legacy.enrollment_id
        )
        for typed, expected in (
            ("王芳", "王芳"),
            ("王 芳", "王芳"),
            ("王　芳", "王芳"),
            ("芳", "王芳"),
            ("杨娟", "杨 娟"),
        ):
            rows, total = await rosters.roster(session_id, rosters.RosterFilter(query=typed))
            assert total == 1 and rows[0].name == expected, typed

    run_sync(scenario())


def test_a_corrected_name_reaches_the_snapshots_and_nothing_else_does(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        session_id = await make_session(counties)
        outcome = await service.register(
            session_id, registration(counties[0], 1, name="张三每"), base_url="http://x"
        )
        row = await Enrollment.select().where(Enrollment.id == outcome.enrollment_id).first()
        assert await snapshots.correct_name(int(row["teacher"]), "张三梅") == 1
        assert await snapshots.correct_name(int(row["teacher"]), "张三梅") == 0
        after = await Enrollment.select().where(Enrollment.id == outcome.enrollment_id).first()
        assert after["teacher_name"] == "张三梅"
        assert {k: after[k] for k in ("school_name", "subject", "teacher_title")} == {
            k: row[k] for k in ("school_name", "subject", "teacher_title")
        }

    run_sync(scenario())


def test_the_migration_fills_existing_enrollments_from_what_is_closest_to_their_time(adb: Any) -> None:
    import importlib

    from tests.certificates.factory import make_teacher, make_world
    from training.certificates.tables import Certificate

    backfill = importlib.import_module("piccolo_migrations.training_2026_12_01t01_30_00_000000").BACKFILL

    async def scenario() -> None:
        world = await make_world()
        teacher_id, with_certificate = await make_teacher(world, "张三梅")
        _, plain = await make_teacher(world, "李明")
        await Enrollment.update(
            {
                Enrollment.teacher_name: "",
                Enrollment.school_name: "",
                Enrollment.subject: "",
                Enrollment.grade_band: "",
                Enrollment.teacher_title: "",
            }
        ).where(Enrollment.id.is_in([with_certificate, plain]))
        await Certificate.insert(
            Certificate(
                enrollment=with_certificate,
                session=world.session_id,
                seq=1,
                serial="2019-0001-0001",
                verification_code="ABCDEFGH",
                teacher_name="张三每",  # as printed then
                county_name="剑阁县",
                school_name="剑阁县城北小学",
                session_title="第9期暑期教师培训班",
                session_dates="2019年7月15日至7月18日",
                hours=24.0,
            )
        )
        await Teacher.update({Teacher.subject: "数学", Teacher.title: "一级教师"}).where(
            Teacher.id == teacher_id
        )
        await db.fetch(backfill)
        rows = {
            r["id"]: r
            for r in await Enrollment.select().where(Enrollment.id.is_in([with_certificate, plain]))
        }
        first = rows[with_certificate]
        assert (first["teacher_name"], first["school_name"]) == ("张三每", "剑阁县城北小学")
        assert (first["subject"], first["teacher_title"]) == ("数学", "一级教师")
        school = (await db.fetch('SELECT name FROM "school" WHERE id = {}', world.school_id))[0]["name"]
        assert (rows[plain]["teacher_name"], rows[plain]["school_name"]) == ("李明", school)

    run_sync(scenario())


def test_an_organiser_correcting_the_name_reaches_the_snapshots_but_a_new_school_does_not(adb: Any) -> None:
    from training.people import requests

    async def scenario() -> None:
        counties = await make_counties()
        past = await make_session(counties, title="第9期暑期教师培训班")
        outcome = await service.register(
            past, registration(counties[0], 1, name="张三每"), base_url="http://x"
        )
        row = await Enrollment.select().where(Enrollment.id == outcome.enrollment_id).first()
        await requests.edit_by_organiser(
            int(row["teacher"]),
            {"name": "张三梅", "school_name": "剑阁县第一中学"},
            actor=ORGANISER,
            reason="身份证核对，更正姓名；调往一中",
        )
        after = await Enrollment.select().where(Enrollment.id == outcome.enrollment_id).first()
        assert (after["teacher_name"], after["school_name"]) == ("张三梅", row["school_name"])

    run_sync(scenario())

"""Migrations and constraints, on whichever engine the run uses."""

from datetime import date

import pytest

from tests.kit import world as kit
from training import db
from training.checkin.tables import CheckIn
from training.enrollment.tables import Enrollment
from training.people.service import TeacherProfile, upsert_teacher
from training.people.tables import County, Teacher
from training.programmes.tables import Block, Programme, TrainingSession

EXPECTED_TABLES = {
    "county", "school", "teacher", "programme", "training_session", "county_quota", "block", "enrollment",
    "check_in", "certificate", "certificate_exception", "staff_user", "login_session", "rate_limit_hit",
    "outbox_message", "audit_entry",
}  # fmt: skip


async def table_names() -> set[str]:
    if db.is_sqlite(db.current_engine()):
        rows = await db.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await db.fetch("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    return {row["name"] for row in rows}


async def test_migrations_create_every_table(adb: object) -> None:
    assert EXPECTED_TABLES <= await table_names()


async def test_migrations_are_idempotent(adb: object) -> None:
    await db.migrate(quiet=True)
    assert EXPECTED_TABLES <= await table_names()


async def test_division_code_is_unique(adb: object) -> None:
    await kit.county("510823")
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await kit.county("510823", name="again")


async def _session() -> tuple[int, int]:
    programme = (await Programme.insert(Programme(slug="summer", name="暑期")))[0]["id"]
    session = (
        await TrainingSession.insert(
            TrainingSession(
                programme=programme,
                year=2019,
                title="第9期",
                starts_on=date(2019, 7, 15),
                ends_on=date(2019, 7, 18),
            )
        )
    )[0]["id"]
    return programme, session


def _profile(county: int, number: str = "11010519491231002X", name: str = "张三") -> TeacherProfile:
    return TeacherProfile(id_number=number, name=name, phone="13812345678", county_id=county)


async def test_a_teacher_is_one_person_matched_by_id_number(adb: object) -> None:
    county = await kit.county()
    first, created = await upsert_teacher(_profile(county))
    again, created_again = await upsert_teacher(_profile(county, name="张三丰"))
    assert created and not created_again and first == again
    rows = await Teacher.select()
    # Finding her changes nothing on file: a different name waits for proof (docs/people.md).
    assert len(rows) == 1 and rows[0]["name"] == "张三"
    # Nothing sensitive is stored in plain text.
    assert "11010519491231002X" not in str(rows[0]) and "13812345678" not in str(rows[0])
    assert rows[0]["id_masked"] == "1101**********002X"


async def test_teacher_identity_hash_is_unique(adb: object) -> None:
    county = await kit.county()
    await upsert_teacher(_profile(county))
    row = await Teacher.select().first()
    assert row is not None
    duplicate = {k: v for k, v in row.items() if k != "id"}
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await Teacher.insert(Teacher(**duplicate))


async def test_one_enrollment_per_teacher_per_session(adb: object) -> None:
    county = await kit.county()
    teacher, _ = await upsert_teacher(_profile(county))
    _, session = await _session()
    await Enrollment.insert(
        Enrollment(session=session, teacher=teacher, county=county, manual_code="AAAA2222")
    )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await Enrollment.insert(
            Enrollment(session=session, teacher=teacher, county=county, manual_code="BBBB3333")
        )


async def test_check_in_client_id_is_unique(adb: object) -> None:
    county = await kit.county()
    teacher, _ = await upsert_teacher(_profile(county))
    other, _ = await upsert_teacher(_profile(county, number="510823199001011236", name="李四"))
    _, session = await _session()
    e1 = (
        await Enrollment.insert(Enrollment(session=session, teacher=teacher, county=county, manual_code="C2"))
    )[0]
    e2 = (
        await Enrollment.insert(Enrollment(session=session, teacher=other, county=county, manual_code="C3"))
    )[0]
    from datetime import UTC, datetime, time

    block = (
        await Block.insert(
            Block(session=session, day=date(2019, 7, 15), starts_at=time(8, 30), ends_at=time(11, 30))
        )
    )[0]["id"]
    now = datetime.now(UTC)
    await CheckIn.insert(CheckIn(enrollment=e1["id"], block=block, scanned_at=now, client_id="device-1-0001"))
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await CheckIn.insert(
            CheckIn(enrollment=e2["id"], block=block, scanned_at=now, client_id="device-1-0001")
        )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await CheckIn.insert(
            CheckIn(enrollment=e1["id"], block=block, scanned_at=now, client_id="device-2-0001")
        )


async def test_transaction_rolls_back_on_error(adb: object) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await kit.county("520523", "金沙县", province="贵州省")
            raise RuntimeError("boom")
    assert await County.count() == 0

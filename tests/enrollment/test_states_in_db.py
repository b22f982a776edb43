"""The database refuses a status or kind outside the enums of training/enrollment/states.py and
training/people/states.py (CHECK constraints on PostgreSQL, triggers on SQLite), on insert and on update."""

from datetime import UTC, datetime

import pytest

from tests.kit import world as kit
from training import db
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.people.states import ChangeRequestStatus, CodeChannel, CodePurpose, SchoolLevel
from training.people.tables import School, TeacherChangeRequest, TeacherContactCode

REFUSED = r"(?i)check constraint|_check"


async def _enrollment() -> tuple[int, int]:
    county = await kit.county()
    teacher = await kit.teacher(county)
    session = await kit.session(await kit.programme())
    return await kit.enrollment(session, teacher, status=EnrollmentStatus.PENDING), teacher


async def test_an_unknown_enrollment_status_or_source_is_refused(adb: object) -> None:
    enrollment_id, _ = await _enrollment()
    with pytest.raises(Exception, match=REFUSED):
        await Enrollment.update({Enrollment.status: "approved"}).where(Enrollment.id == enrollment_id)
    with pytest.raises(Exception, match=REFUSED):
        await Enrollment.update({Enrollment.source: "fax"}).where(Enrollment.id == enrollment_id)
    with pytest.raises(Exception, match=REFUSED):
        await db.fetch(
            'INSERT INTO "enrollment" ("session", "teacher", "county", "manual_code", "status") '
            'SELECT "session", "teacher", "county", {}, {} FROM "enrollment" WHERE "id" = {}',
            "BBBB3333",
            "selected",
            enrollment_id,
        )
    # every member of the enum is accepted
    for status in EnrollmentStatus:
        await Enrollment.update({Enrollment.status: status}).where(Enrollment.id == enrollment_id)
    row = await Enrollment.select(Enrollment.status).where(Enrollment.id == enrollment_id).first()
    assert row is not None and row["status"] == EnrollmentStatus.REJECTED


async def test_unknown_people_kinds_are_refused(adb: object) -> None:
    _, teacher = await _enrollment()
    county = await kit.county("520523", "金沙县", province="贵州省")
    with pytest.raises(Exception, match=REFUSED):
        await School.insert(School(county=county, name="大学", level="university"))
    school = await School.insert(School(county=county, name="金沙一中", level=SchoolLevel.SENIOR))
    with pytest.raises(Exception, match=REFUSED):
        await School.update({School.level: "college"}).where(School.id == school[0]["id"])
    request = await TeacherChangeRequest.insert(
        TeacherChangeRequest(teacher=teacher, origin="online", proposed_encrypted="x")
    )
    with pytest.raises(Exception, match=REFUSED):
        await TeacherChangeRequest.update({TeacherChangeRequest.status: "approved"}).where(
            TeacherChangeRequest.id == request[0]["id"]
        )
    await TeacherChangeRequest.update({TeacherChangeRequest.status: ChangeRequestStatus.APPLIED}).where(
        TeacherChangeRequest.id == request[0]["id"]
    )
    with pytest.raises(Exception, match=REFUSED):
        await TeacherChangeRequest.insert(
            TeacherChangeRequest(teacher=teacher, origin="telepathy", proposed_encrypted="x")
        )
    expires = datetime.now(UTC)
    with pytest.raises(Exception, match=REFUSED):
        await TeacherContactCode.insert(
            TeacherContactCode(
                teacher=teacher,
                purpose="password",
                channel=CodeChannel.SMS,
                code_hash="h",
                expires_at=expires,
            )
        )
    with pytest.raises(Exception, match=REFUSED):
        await TeacherContactCode.insert(
            TeacherContactCode(
                teacher=teacher,
                purpose=CodePurpose.PHONE,
                channel="pigeon",
                code_hash="h",
                expires_at=expires,
            )
        )

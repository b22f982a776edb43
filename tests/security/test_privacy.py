"""PIPL: a teacher's data can be exported (audited) and erased, keeping anonymous statistics."""

from typing import Any

from litestar.testing import TestClient

from tests.helpers import create_user, csrf_token, login, make_county, run_sync
from training.audit.tables import AuditEntry
from training.enrollment.tables import Enrollment
from training.people.service import TeacherProfile, upsert_teacher
from training.people.tables import Teacher

ID_NUMBER = "11010519491231002X"


def make_teacher() -> tuple[int, int]:
    county = run_sync(make_county())
    teacher, _ = run_sync(
        upsert_teacher(
            TeacherProfile(
                id_number=ID_NUMBER,
                name="张三梅",
                phone="13812345678",
                county_id=county,
                email="zhang@example.org",
            )
        )
    )
    return county, teacher


def test_an_organiser_exports_a_teachers_data_and_it_is_audited(client: TestClient[Any]) -> None:
    _, teacher = make_teacher()
    create_user("li", "organiser")
    login(client, "li")
    response = client.get(f"/api/v1/teachers/{teacher}/personal-data")
    assert response.status_code == 200
    data = response.json()
    assert data["teacher"]["id_number"] == ID_NUMBER and data["teacher"]["phone"] == "13812345678"
    actions = run_sync(AuditEntry.select(AuditEntry.action, AuditEntry.entity_id))
    assert {"action": "export_personal_data", "entity_id": str(teacher)} in actions


def test_erasure_blanks_personal_fields_and_keeps_statistics(client: TestClient[Any]) -> None:
    county, teacher = make_teacher()
    create_user("li", "organiser")
    login(client, "li")
    # A reason is required; nothing is erased without it.
    response = client.post(f"/admin/teachers/{teacher}/erase", data={"_csrf_token": csrf_token(client)})
    assert response.status_code == 400 and "此项为必填" in response.text
    assert run_sync(Teacher.select(Teacher.erased).first())["erased"] is False
    response = client.post(
        f"/admin/teachers/{teacher}/erase",
        data={"_csrf_token": csrf_token(client), "reason": "本人申请 2026-001"},
        follow_redirects=False,
    )
    assert response.status_code == 302
    row = run_sync(Teacher.select().where(Teacher.id == teacher).first())
    assert row["erased"] and row["name"] == "张*梅" and row["email"] == "" and row["phone_encrypted"] == ""
    assert row["county"] == county
    page = client.get(f"/admin/teachers/{teacher}/privacy")
    assert "已删除" in page.text and ID_NUMBER not in page.text
    assert run_sync(Enrollment.count()) == 0  # nothing was deleted that statistics need


def test_coordinators_cannot_export_personal_data(client: TestClient[Any]) -> None:
    county, teacher = make_teacher()
    create_user("coord", "coordinator", county)
    login(client, "coord")
    assert client.get(f"/api/v1/teachers/{teacher}/personal-data").status_code == 403

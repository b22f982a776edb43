"""PIPL: a teacher's data can be exported (audited) and erased, keeping anonymous statistics."""

from typing import Any

from litestar.testing import TestClient

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import create_user
from training import db
from training.audit.tables import AuditEntry
from training.enrollment.tables import Enrollment
from training.people.service import TeacherProfile, upsert_teacher
from training.people.tables import Teacher

ID_NUMBER = "11010519491231002X"


def make_teacher() -> tuple[int, int]:
    county = run_sync(kit.county())
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


def _erase(client: TestClient[Any], teacher_id: int) -> None:
    response = client.post(
        f"/admin/teachers/{teacher_id}/erase",
        data={"_csrf_token": csrf_token(client), "reason": "本人申请 2026-002"},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text


def _teacher_of(enrollment_id: int) -> int:
    row = run_sync(Enrollment.select(Enrollment.teacher).where(Enrollment.id == enrollment_id).first())
    return int(row["teacher"])


def test_erasure_removes_the_certificate_pdf_and_her_links_stop_working(
    client: TestClient[Any], settings: Any
) -> None:
    from tests.certificates.factory import make_world, participants
    from training import keys
    from training.certificates import batch, jobs
    from training.certificates.tables import Certificate
    from training.core.links import make_link_token
    from training.mail.tables import OutboxMessage

    world = run_sync(make_world())
    (enrollment_id,) = run_sync(participants(world, 1))
    run_sync(batch.issue_session(world.session_id, settings, workers=1))
    cert = run_sync(Certificate.select().where(Certificate.enrollment == enrollment_id).first())
    pdf = settings.data_dir / cert["file_path"]
    assert pdf.exists()
    download = jobs.download_url(settings, cert["serial"], enrollment_id).removeprefix(settings.base_url)
    me = f"/me/{make_link_token(keys.current().teacher_link, enrollment_id)}"
    assert client.get(download).status_code == 200 and client.get(me).status_code == 200
    # A print run of the session and an hours statement carry her name too.
    from training.certificates import printing

    run_pdf, run_zip, _ = run_sync(printing.build(world.session_id, settings))
    assert run_pdf.exists() and run_zip.exists()
    statement = client.get(me + "/hours-statement.pdf")
    assert statement.status_code == 200
    create_user("li", "organiser")
    login(client, "li")
    _erase(client, _teacher_of(enrollment_id))
    assert not run_pdf.exists() and not run_zip.exists()
    names = run_sync(db.fetch('SELECT "teacher_name" FROM "hours_statement"'))
    assert names and all(r["teacher_name"] == "王*" for r in names)
    assert not pdf.exists()
    assert not list((settings.data_dir / "certificates").rglob(f"{cert['serial']}*"))
    assert client.get(download).status_code == 404  # her link no longer hands out a certificate
    assert client.get(me).status_code == 404 and client.get(me + "/qr.png").status_code == 404
    mails = run_sync(OutboxMessage.select().where(OutboxMessage.enrollment_id == enrollment_id))
    assert all(m["body_text"] == "" and m["attachments"] in ([], "[]") for m in mails)
    # The public verification still answers (masked name), and an organiser's copy is redrawn from the snapshot.
    assert client.get(f"/api/v1/verify/{cert['serial']}").json()["name"] == "王*"
    assert run_sync(Certificate.select(Certificate.teacher_name).first())["teacher_name"] == "王*"
    redrawn = client.get(f"/admin/certificates/{cert['serial']}/certificate.pdf")
    assert redrawn.status_code == 200 and redrawn.content.startswith(b"%PDF")


def test_an_erased_teachers_qr_code_no_longer_checks_in(client: TestClient[Any]) -> None:
    import uuid

    from tests.checkin.world import make_world
    from training.checkin import scans as checkin
    from training.core.actor import Actor

    world = run_sync(make_world(confirmed=2))
    erased, kept = world.people
    create_user("li", "organiser")
    login(client, "li")
    _erase(client, _teacher_of(erased.enrollment_id))
    staff = Actor(None, "", "王老师", "staff")

    def scan(code: str) -> str:
        result = run_sync(
            checkin.redeem(checkin.Scan(code, world.blocks[0], uuid.uuid4().hex, "door"), staff)
        )
        return str(result.status)

    assert scan(erased.token) == "code_revoked"
    assert scan(erased.manual_code) == "code_revoked"
    assert scan(kept.token) == "ok"
    roster = client.get(f"/api/v1/checkin/blocks/{world.blocks[0]}/roster").json()
    from training.checkin.status import roster_digest

    digests = {e["t"] for e in roster["entries"]} | {e["m"] for e in roster["entries"]}
    assert roster_digest(roster["salt"], erased.token) not in digests  # offline scanners refuse it too
    assert roster_digest(roster["salt"], kept.token) in digests

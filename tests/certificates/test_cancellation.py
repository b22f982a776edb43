"""A certificate and a cancelled registration never stand together: the teacher cannot cancel a registration that
holds a valid certificate (her page says why); an organiser can, with a reason, and the certificate is revoked in
the same transaction; the certificate page of a cancelled or erased enrollment still opens for organisers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.certificates.factory import attend, make_teacher, make_world
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.audit.tables import AuditEntry
from training.certificates import candidates, issuing, verifying
from training.certificates.tables import Certificate
from training.core.actor import Actor
from training.enrollment import service as enrollment
from training.enrollment.tables import Enrollment
from training.errors import Conflict, ValidationFailed
from training.programmes.tables import TrainingSession

ORGANISER = Actor(1, "org", "org", "organiser")


async def _certified() -> tuple[int, int, str]:
    """A confirmed participant of a session ending tomorrow, with a valid certificate: (teacher, enrollment, serial)."""
    world = await make_world()
    tomorrow = enrollment.local_today() + timedelta(days=1)
    await TrainingSession.update(
        {TrainingSession.starts_on: tomorrow - timedelta(days=3), TrainingSession.ends_on: tomorrow}
    ).where(TrainingSession.id == world.session_id)
    teacher_id, enrollment_id = await make_teacher(world, "王芳")
    await attend(world, enrollment_id, 8)
    state = await candidates.session_eligibility(world.session_id)
    (cert,) = await issuing.claim_certificates(state.session, state.eligible)
    return teacher_id, enrollment_id, cert.serial


async def _status(enrollment_id: int) -> str:
    row = await Enrollment.select(Enrollment.status).where(Enrollment.id == enrollment_id).first()
    return str(row["status"])


def test_a_teacher_cannot_cancel_a_registration_that_holds_a_valid_certificate(adb: Any) -> None:
    async def scenario() -> None:
        _, enrollment_id, serial = await _certified()
        view = await enrollment.view(enrollment_id)
        assert view.certificate_serial == serial and not view.cancellable
        with pytest.raises(Conflict) as refused:
            await enrollment.cancel(enrollment_id, base_url="http://x")
        assert refused.value.code == "cancel_certified"
        assert await _status(enrollment_id) == "confirmed"
        assert (await verifying.verify(serial)).status == "valid"

    run_sync(scenario())


def test_an_organiser_cancels_with_a_reason_and_the_certificate_is_revoked_at_once(adb: Any) -> None:
    async def scenario() -> None:
        _, enrollment_id, serial = await _certified()
        with pytest.raises(ValidationFailed):
            await enrollment.cancel(enrollment_id, base_url="http://x", actor=ORGANISER)
        assert await _status(enrollment_id) == "confirmed"
        await enrollment.cancel(
            enrollment_id, base_url="http://x", actor=ORGANISER, reason="冒名报名，经核实取消"
        )
        assert await _status(enrollment_id) == "cancelled"
        cert = await Certificate.select().where(Certificate.serial == serial).first()
        assert cert["revoked_at"] is not None and cert["revoke_reason"] == "冒名报名，经核实取消"
        assert (await verifying.verify(serial)).status == "revoked"
        from training.mail.tables import OutboxMessage

        keys = {m["dedupe_key"] for m in await OutboxMessage.select(OutboxMessage.dedupe_key)}
        assert f"certificate:{serial}:revoked:r1" in keys  # the holder is told, as with any revocation
        audit = await AuditEntry.select(
            AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.changes
        )
        by_action = {a["action"]: a for a in audit}
        assert by_action["revoke"]["entity_id"] == serial
        assert by_action["cancel"]["entity_id"] == str(enrollment_id)
        cancel_changes = by_action["cancel"]["changes"]
        if isinstance(cancel_changes, str):
            import json

            cancel_changes = json.loads(cancel_changes)
        assert (
            cancel_changes["revoked_certificate"] == serial
            and cancel_changes["reason"] == "冒名报名，经核实取消"
        )

    run_sync(scenario())


def test_the_pages_agree_teacher_page_says_why_and_organiser_cancels_from_the_certificate_page(
    client: Any,
) -> None:
    _, enrollment_id, serial = run_sync(_certified())
    token = run_sync(enrollment.view(enrollment_id)).link_token
    mine = client.get(f"/me/{token}")
    assert mine.status_code == 200
    assert "结业证书已颁发" in mine.text and f"/me/{token}/cancel" not in mine.text
    refused = client.post(f"/me/{token}/cancel", data={"_csrf_token": csrf_token(client)})
    assert refused.status_code == 409 and "不能再取消" in refused.text

    login_as(client, "organiser")
    roster_cancel = client.post(
        f"/admin/enrollment/enrollments/{enrollment_id}/cancel",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert roster_cancel.status_code in (302, 303)
    assert roster_cancel.headers["location"].startswith(f"/admin/certificates/enrollments/{enrollment_id}")
    page = client.get(f"/admin/certificates/enrollments/{enrollment_id}")
    assert page.status_code == 200 and "取消报名并撤销证书" in page.text
    empty = client.post(
        f"/admin/certificates/enrollments/{enrollment_id}/cancel", data={"_csrf_token": csrf_token(client)}
    )
    assert empty.status_code == 400 and "has-error" in empty.text
    assert run_sync(_status(enrollment_id)) == "confirmed"
    done = client.post(
        f"/admin/certificates/enrollments/{enrollment_id}/cancel",
        data={"_csrf_token": csrf_token(client), "reason": "本人未参训"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert run_sync(_status(enrollment_id)) == "cancelled"
    # The certificate page of the cancelled enrollment still opens (it used to answer 404), revoked with the reason.
    after = client.get(f"/admin/certificates/enrollments/{enrollment_id}")
    assert after.status_code == 200
    assert "本人未参训" in after.text and serial in after.text and "取消报名并撤销证书" not in after.text
    assert client.get(f"/verify/{serial}").status_code == 200
    assert run_sync(verifying.verify(serial)).status == "revoked"
    reissue = client.post(
        f"/admin/certificates/{serial}/reissue",
        data={"_csrf_token": csrf_token(client), "reason": "误操作"},
    )
    assert reissue.status_code == 400  # a cancelled registration gets no certificate back
    assert run_sync(verifying.verify(serial)).status == "revoked"


def test_the_certificate_page_of_an_erased_teacher_still_opens_for_organisers(
    client: Any, settings: Any
) -> None:
    from training.privacy.service import erase_teacher

    teacher_id, enrollment_id, serial = run_sync(_certified())
    run_sync(erase_teacher(teacher_id, ORGANISER, "本人申请删除", data_dir=settings.data_dir))
    login_as(client, "organiser")
    page = client.get(f"/admin/certificates/enrollments/{enrollment_id}")
    assert page.status_code == 200 and serial in page.text and "王芳" not in page.text
    snapshot = run_sync(
        Enrollment.select(Enrollment.teacher_name).where(Enrollment.id == enrollment_id).first()
    )
    assert snapshot["teacher_name"] == "王*"  # the enrollment's snapshot is masked like every other copy


def test_a_serial_typed_in_full_width_is_verified(adb: Any) -> None:
    async def scenario() -> None:
        _, _, serial = await _certified()
        typed = serial.translate(str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}))
        assert (await verifying.verify(" " + typed)).status == "valid"

    run_sync(scenario())

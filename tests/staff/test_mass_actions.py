"""Mass actions say what they will do and never repeat what was done: finishing interrupted certificates does not
re-mail teachers who had theirs long ago; badges for the absent print nothing when nobody is absent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.certificates.factory import make_world, participants
from tests.checkin.world import make_world as make_checkin_world
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.certificates import batch, candidates, issuing
from training.certificates.tables import Certificate
from training.mail.tables import OutboxMessage


def test_finishing_interrupted_certificates_mails_only_those_issued_recently(
    client: Any, settings: Any
) -> None:
    world = run_sync(make_world())
    run_sync(participants(world, 3))

    async def claim_only() -> None:  # a run that numbered the certificates and died before rendering
        session, _ = await candidates.session_and_programme(world.session_id)
        state = await candidates.session_eligibility(world.session_id)
        await issuing.claim_certificates(session, state.eligible)

    run_sync(claim_only())
    serials = [
        r["serial"] for r in run_sync(Certificate.select(Certificate.serial).order_by(Certificate.seq))
    ]
    # two of them are records from years ago (their teachers were told then), one was claimed just now
    run_sync(
        Certificate.update({Certificate.issued_at: datetime(2019, 7, 20, 9, 30, tzinfo=UTC)}).where(
            Certificate.serial.is_in(serials[:2])
        )
    )
    login_as(client, "organiser")
    asked = client.post(
        f"/admin/certificates/sessions/{world.session_id}/issue", data={"_csrf_token": csrf_token(client)}
    )
    assert asked.status_code == 200
    assert "3 份之前中断的证书" in asked.text and "其中 1 份" in asked.text and "2 份" in asked.text
    assert 'data-testid="confirm-people">1<' in asked.text
    run_sync(batch.render_pending(world.session_id, settings))
    mails = run_sync(
        OutboxMessage.select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "certificate")
    )
    assert [m["dedupe_key"] for m in mails] == [f"certificate:{serials[2]}:r1"]
    assert all(r["file_path"] for r in run_sync(Certificate.select(Certificate.file_path)))  # all rendered


def test_badges_for_the_absent_print_nothing_when_nobody_is_absent(client: Any) -> None:
    world = run_sync(make_checkin_world())
    login_as(client, "organiser")
    nobody = client.get(f"/checkin/sessions/{world.session_id}/badges.pdf?ids=")
    assert nobody.status_code == 200 and nobody.headers["content-type"].startswith("text/html")
    assert 'data-testid="no-badges"' in nobody.text and "没有人缺席" in nobody.text
    everyone = client.get(f"/checkin/sessions/{world.session_id}/badges.pdf")
    assert everyone.headers["content-type"] == "application/pdf"


def test_an_organiser_opens_a_message_with_its_recipient_unmasked_and_the_look_is_audited(
    client: Any,
) -> None:
    from tests.mail.helpers import queue
    from training.audit.tables import AuditEntry

    message_id = queue("zhang.san@example.org", "报名确认", "sent", "", body="张老师：您已报名成功。")
    login_as(client, "organiser")
    listing = client.get("/admin/mail?show=sent").text
    assert "zhang.san@example.org" not in listing and f'href="/admin/mail/{message_id}"' in listing
    page = client.get(f"/admin/mail/{message_id}")
    assert page.status_code == 200
    assert 'data-testid="recipient">zhang.san@example.org<' in page.text and "您已报名成功" in page.text
    looks = run_sync(AuditEntry.select().where(AuditEntry.action == "view_recipient"))
    assert [e["entity_id"] for e in looks] == [str(message_id)]
    assert "打开了邮件 #" in client.get("/admin/audit").text
    login_as(client, "coordinator", run_sync(_county()))
    assert client.get(f"/admin/mail/{message_id}").status_code == 403


async def _county() -> int:
    from tests.kit import world as kit

    return await kit.county()

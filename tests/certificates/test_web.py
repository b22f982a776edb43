"""Certificates through the real app: PDF + QR decode → verification answers; organiser pages; downloads."""

from __future__ import annotations

import io
from typing import Any

import pypdfium2
import zxingcpp
from PIL import Image

from tests.certificates.factory import attend, make_teacher, make_world, participants
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.certificates import batch, candidates, jobs, revoking
from training.certificates.tables import Certificate
from training.config import Settings
from training.mail.tables import OutboxMessage


def _issue(world: Any, settings: Settings) -> list[dict[str, Any]]:
    run_sync(batch.issue_session(world.session_id, settings, workers=1))
    return list(
        run_sync(
            Certificate.select()
            .where(Certificate.session == world.session_id)
            .order_by(Certificate.seq)
            .run()
        )
    )


def _qr_from_pdf(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 1
    page = document[0]
    width, height = page.get_size()
    assert abs(min(width, height) - 595) < 2 and abs(max(width, height) - 842) < 2  # A4 in points
    image = page.render(scale=150 / 72).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, codes
    return str(codes[0].text)


def test_pdf_opens_and_its_qr_leads_to_a_valid_verification(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    enrollment = run_sync(participants(world, 1))[0]
    (cert,) = _issue(world, settings)
    pdf = (settings.data_dir / cert["file_path"]).read_bytes()
    assert len(pdf) < 600 * 1024
    url = _qr_from_pdf(pdf)
    assert url == f"{settings.base_url}/verify/{cert['serial']}"

    path = url.removeprefix(settings.base_url)
    page = client.get(path)
    assert page.status_code == 200
    api = client.get("/api/v1" + path)
    assert api.status_code == 200
    body = api.json()
    assert body == {
        "status": "valid",
        "serial": cert["serial"],
        "name": "王*",
        "session": "第9期暑期教师培训班",
        "dates": "2019年7月15日至7月18日",
        "hours": 24.0,
    }
    assert "王*" in page.text and "王芳" not in page.text
    assert enrollment == cert["enrollment"]


def test_revoked_certificate_answers_revoked(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    run_sync(participants(world, 1))
    (cert,) = _issue(world, settings)
    run_sync(revoking.revoke(cert["serial"], "重复颁发", None))
    assert client.get(f"/api/v1/verify/{cert['serial']}").json()["status"] == "revoked"
    page = client.get(f"/verify/{cert['serial']}")
    assert page.status_code == 200 and "verify-status revoked" in page.text


def test_unknown_serial_is_404_with_nothing_but_the_serial(client: Any) -> None:
    response = client.get("/api/v1/verify/2019-0001-0001")
    assert response.status_code == 404
    assert response.json() == {"status": "unknown", "serial": "2019-0001-0001"}


def test_verification_is_rate_limited_per_ip(client: Any) -> None:
    statuses = [client.get(f"/api/v1/verify/2019-0001-{n:04d}").status_code for n in range(32)]
    assert statuses[:30] == [404] * 30
    assert statuses[30:] == [429, 429]
    assert client.get("/verify/2019-0001-0001").status_code == 429


def test_exchange_cohort_certificate_is_portrait_and_mailed_with_the_pdf(
    client: Any, settings: Settings
) -> None:
    world = run_sync(make_world(kind="exchange"))
    run_sync(participants(world, 1))
    (cert,) = _issue(world, settings)
    pdf = (settings.data_dir / cert["file_path"]).read_bytes()
    page = pypdfium2.PdfDocument(pdf)[0]
    width, height = page.get_size()
    assert height > width
    (mail,) = run_sync(
        OutboxMessage.select().where(OutboxMessage.kind == "certificate").output(load_json=True).run()
    )
    assert mail["attachments"][0]["content_type"] == "application/pdf"
    assert f"/certificates/{cert['serial']}.pdf?t=" in mail["body_text"]


def test_teacher_downloads_own_pdf_with_the_signed_link_only(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    run_sync(participants(world, 2))
    first, second = _issue(world, settings)
    link = jobs.download_url(settings, first["serial"], first["enrollment"]).removeprefix(settings.base_url)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Someone else's token does not open this certificate; a tampered token neither.
    other = jobs.download_url(settings, first["serial"], second["enrollment"]).removeprefix(settings.base_url)
    assert client.get(other).status_code == 404
    assert client.get(link[:-3] + "AAA").status_code == 404
    run_sync(revoking.revoke(first["serial"], "重复颁发", None))
    assert client.get(link).status_code == 409  # a revoked certificate is no longer handed out


def test_organiser_sees_eligible_short_and_exceptions(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    _, ok = run_sync(make_teacher(world, "王芳"))
    run_sync(attend(world, ok, 8))
    _, short = run_sync(make_teacher(world, "李明"))
    run_sync(attend(world, short, 5))
    login_as(client, "organiser")
    page = client.get(f"/admin/certificates/sessions/{world.session_id}")
    assert page.status_code == 200
    assert "王芳" in page.text and "李明" in page.text

    token = csrf_token(client)
    response = client.post(
        f"/admin/certificates/enrollments/{short}/exception",
        data={"decision": "grant", "reason": "", "_csrf_token": token},
    )
    assert response.status_code == 400  # a reason is required
    response = client.post(
        f"/admin/certificates/enrollments/{short}/exception",
        data={"decision": "grant", "reason": "病假，已补课", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    state = run_sync(candidates.session_eligibility(world.session_id))
    assert {c.teacher_name: c.decision.status for c in state.candidates} == {
        "王芳": "eligible",
        "李明": "granted",
    }


def test_organiser_issues_from_the_page_and_sees_progress(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    run_sync(participants(world, 3))
    login_as(client, "organiser")
    asked = client.post(
        f"/admin/certificates/sessions/{world.session_id}/issue",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    # first a page saying how many certificates and mails; nothing is issued yet
    assert asked.status_code == 200 and 'data-testid="confirm-people">3<' in asked.text
    assert run_sync(candidates.session_eligibility(world.session_id)).issued == []
    response = client.post(
        f"/admin/certificates/sessions/{world.session_id}/issue",
        data={"_csrf_token": csrf_token(client), "confirm": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    import time

    for _ in range(200):
        progress = client.get(f"/api/v1/certificates/sessions/{world.session_id}/progress").json()
        if not progress["running"] and progress["rendered"] == 3:
            break
        time.sleep(0.1)
    assert progress["issued"] == 3 and progress["rendered"] == 3 and progress["error"] == ""


def test_anonymous_cannot_reach_organiser_pages(client: Any) -> None:
    assert client.get("/admin/certificates", follow_redirects=False).status_code in (302, 401)


def test_artwork_upload_refuses_decompression_bombs_and_accepts_a_seal(
    client: Any, settings: Settings
) -> None:
    world = run_sync(make_world())
    login_as(client, "organiser")
    token = csrf_token(client)
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")  # 81 Mpx, a few kilobytes on the wire
    response = client.post(
        f"/admin/certificates/programmes/{world.programme_id}/artwork",
        data={"kind": "background", "_csrf_token": token},
        files={"image": ("bomb.png", bomb.getvalue(), "image/png")},
    )
    assert response.status_code == 400
    assert "40" in response.text  # the message names the limit
    response = client.post(
        f"/admin/certificates/programmes/{world.programme_id}/artwork",
        data={"kind": "seal", "_csrf_token": token},
        files={"image": ("seal.txt", b"not an image", "text/plain")},
    )
    assert response.status_code == 400
    seal = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    from PIL import ImageDraw

    ImageDraw.Draw(seal).ellipse((10, 10, 390, 390), outline=(200, 30, 30, 230), width=18)
    buffer = io.BytesIO()
    seal.save(buffer, "PNG")
    response = client.post(
        f"/admin/certificates/programmes/{world.programme_id}/artwork",
        data={"kind": "seal", "_csrf_token": token},
        files={"image": ("seal.png", buffer.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    run_sync(participants(world, 1))
    (cert,) = _issue(world, settings)
    url = _qr_from_pdf((settings.data_dir / cert["file_path"]).read_bytes())
    assert url.endswith(cert["serial"])


def test_organiser_switches_the_layout_and_sees_a_sample(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    login_as(client, "organiser")
    sample = client.get(f"/admin/certificates/programmes/{world.programme_id}/sample.png")
    assert sample.status_code == 200
    width, height = Image.open(io.BytesIO(sample.content)).size
    assert width > height  # summer: landscape
    response = client.post(
        f"/admin/certificates/programmes/{world.programme_id}/layout",
        data={"layout": "portrait", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    sample = client.get(f"/admin/certificates/programmes/{world.programme_id}/sample.png")
    width, height = Image.open(io.BytesIO(sample.content)).size
    assert height > width
    from training.audit.tables import AuditEntry

    changes = run_sync(
        AuditEntry.select(AuditEntry.changes)
        .where(AuditEntry.entity != "staff_user")
        .output(load_json=True)
        .run()
    )
    assert changes == [{"changes": {"certificate_layout": ["landscape", "portrait"]}}]
    assert client.get("/admin/certificates").status_code == 200


async def test_one_address_cannot_walk_the_serials_within_a_day(adb: Any) -> None:
    import pytest

    from training.certificates.api import VERIFY_DAILY_LIMIT, throttle_verification
    from training.errors import RateLimited

    start = (
        86_400 * 20_000 + 60
    )  # the start of a day window; ten look-ups a minute stay under the minute limit
    for n in range(VERIFY_DAILY_LIMIT):
        await throttle_verification("203.0.113.7", now=start + n * 6)
    with pytest.raises(RateLimited):
        await throttle_verification("203.0.113.7", now=start + VERIFY_DAILY_LIMIT * 6)
    await throttle_verification(
        "203.0.113.8", now=start + VERIFY_DAILY_LIMIT * 6
    )  # another address is not held

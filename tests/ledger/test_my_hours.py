"""A teacher's own hours across all years on her self-service page, and her 学时证明 that /verify confirms."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pypdfium2
import zxingcpp

from tests.certificates.factory import attend, make_teacher, make_world
from tests.kit.sync import run_sync
from training import keys
from training.certificates import batch
from training.certificates.tables import Certificate
from training.config import Settings
from training.core.links import make_link_token
from training.enrollment.tables import Enrollment
from training.ledger.tables import HoursStatement
from training.programmes.tables import TrainingSession


def _pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _two_years(settings: Settings) -> tuple[int, int, int]:
    """One teacher: 2017 (8 blocks, certificate) and 2019 (3 blocks, no certificate); returns her enrollments
    and the enrollment of someone else."""
    first = run_sync(make_world())
    run_sync(
        TrainingSession.update(
            {
                TrainingSession.year: 2017,
                TrainingSession.title: "第7期暑期教师培训班",
                TrainingSession.starts_on: date(2017, 7, 10),
                TrainingSession.ends_on: date(2017, 7, 13),
            }
        )
        .where(TrainingSession.id == first.session_id)
        .run()
    )
    teacher_id, old = run_sync(make_teacher(first, "张三梅"))
    run_sync(attend(first, old, 8))
    run_sync(batch.issue_session(first.session_id, settings, workers=1, now=datetime.now(UTC)))
    second = run_sync(make_world())
    _, other = run_sync(make_teacher(second, "王芳"))
    run_sync(attend(second, other, 8))
    new = run_sync(
        Enrollment.insert(
            Enrollment(
                session=second.session_id,
                teacher=teacher_id,
                county=second.county_id,
                status="confirmed",
                manual_code="HIST0001",
                teacher_name="张三梅",
            )
        ).run()
    )[0]["id"]
    run_sync(attend(second, new, 3))
    return old, int(new), other


def test_the_self_service_page_shows_hours_across_years_with_certificates(
    client: Any, settings: Settings
) -> None:
    old, new, _ = _two_years(settings)
    serial = run_sync(
        Certificate.select(Certificate.serial).where(Certificate.enrollment == old).first().run()
    )["serial"]
    token = make_link_token(keys.current().teacher_link, new)
    page = client.get(f"/me/{token}")
    assert page.status_code == 200
    assert 'id="my-hours"' in page.text
    assert '<strong id="my-hours-total">33</strong>' in page.text  # 24 in 2017 + 9 in 2019
    assert "第7期暑期教师培训班" in page.text and "第9期暑期教师培训班" in page.text and serial in page.text
    # the 2017 certificate downloads through the link shown on the 2019 page
    link = page.text.split(f'href="/certificates/{serial}.pdf?t=')[1].split('"')[0]
    download = client.get(f"/certificates/{serial}.pdf?t={link}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_the_hours_statement_lists_every_training_and_verify_confirms_it(
    client: Any, settings: Settings
) -> None:
    old, new, _ = _two_years(settings)
    token = make_link_token(keys.current().teacher_link, old)
    response = client.get(f"/me/{token}/hours-statement.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "学 时 证 明" in text and "张三梅" in text and "累计完成培训 33 学时" in text
    assert "第7期暑期教师培训班" in text and "第9期暑期教师培训班" in text and "合计" in text
    assert "王芳" not in text  # someone else's hours are not hers
    [statement] = run_sync(HoursStatement.select().run())
    assert statement["serial"] in text and statement["serial"].startswith("HS-")

    # the QR leads to the verification page, which confirms it like a certificate (masked name only)
    image = pypdfium2.PdfDocument(response.content)[0].render(scale=200 / 72).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == f"{settings.base_url}/verify/{statement['serial']}"
    verified = client.get(f"/api/v1/verify/{statement['serial']}").json()
    assert verified["status"] == "valid" and verified["hours"] == 33.0 and verified["name"] == "张*梅"
    assert "2017" in verified["dates"] and "2019" in verified["dates"]
    assert client.get(f"/verify/{statement['serial']}").status_code == 200
    assert client.get("/api/v1/verify/HS-2026-XXXXXXXX").status_code == 404

    # asked again (from her other link) with nothing changed: the same statement, not a new number
    again = client.get(f"/me/{make_link_token(keys.current().teacher_link, new)}/hours-statement.pdf")
    assert statement["serial"] in _pdf_text(again.content)
    assert run_sync(HoursStatement.count().run()) == 1
    assert client.get("/me/not-a-token/hours-statement.pdf").status_code == 404

"""The confirmation and promotion emails reach a real SMTP server (aiosmtpd) through the mail worker, and the QR
code decoded from the delivered attachment is the teacher's token.

Needs the mail domain's worker (training/mail/worker.py, built in another branch): skipped until it is merged."""

from __future__ import annotations

import io
from typing import Any

import PIL.Image
import pytest
import zxingcpp

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from training import keys
from training.core.tokens import make_token
from training.enrollment import service

worker_module = pytest.importorskip("training.mail.worker", reason="the mail worker is not merged yet")


def _qr_texts(message: Any) -> tuple[list[str], list[str]]:
    """(QR texts of inline images, QR texts of attached images)."""
    inline, attached = [], []
    for part in message.walk():
        if part.get_content_type() != "image/png":
            continue
        image = PIL.Image.open(io.BytesIO(part.get_payload(decode=True)))
        text = str(zxingcpp.read_barcodes(image)[0].text)
        (inline if part.get("Content-ID") else attached).append(text)
    return inline, attached


async def test_confirmation_and_promotion_emails_arrive_with_a_decodable_qr(
    adb: Any, mail_settings: Any, smtp_server: Any
) -> None:
    import asyncio

    counties = await make_counties()
    session_id = await make_session(counties, capacity=1)
    first = await service.register(session_id, registration(counties[0], 1), base_url=BASE_URL)
    second = await service.register(session_id, registration(counties[0], 2), base_url=BASE_URL)
    await service.cancel(first.enrollment_id, base_url=BASE_URL)
    worker = worker_module.MailWorker(mail_settings)
    while (await worker.run_once()).claimed:
        pass
    messages = await asyncio.to_thread(smtp_server.wait_for, 3)
    by_recipient: dict[str, list[Any]] = {}
    for message in messages:
        by_recipient.setdefault(str(message["To"]), []).append(message)
    confirmation = by_recipient["teacher1@example.org"][0]
    assert "报名确认" in str(confirmation["Subject"])
    key = keys.current().qr_token
    inline, attached = _qr_texts(confirmation)
    assert inline == [make_token(key, first.enrollment_id)] and attached == inline
    assert any(p.get_content_type() == "text/calendar" for p in confirmation.walk())
    assert confirmation.get_body(("plain",)) is not None and confirmation.get_body(("html",)) is not None
    kinds = sorted(str(m["Subject"])[:4] for m in by_recipient["teacher2@example.org"])
    assert kinds == ["候补成功", "已进入候"]  # waiting-list notice, then the promotion
    promotion = next(m for m in by_recipient["teacher2@example.org"] if "候补成功" in str(m["Subject"]))
    inline, attached = _qr_texts(promotion)
    assert inline == attached == [make_token(key, second.enrollment_id)]

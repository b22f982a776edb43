"""The QR code in the confirmation email, as delivered by the mail worker to a real SMTP server, checks in."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import time
from typing import Any

import PIL.Image
import zxingcpp

from tests.checkin.world import today_local
from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from training.checkin import scans as checkin
from training.core.actor import Actor
from training.enrollment import service as enrollment
from training.mail.worker import MailWorker
from training.programmes.tables import Block, TrainingSession


async def test_the_qr_in_the_confirmation_email_checks_the_teacher_in(
    adb: Any, mail_settings: Any, smtp_server: Any
) -> None:
    counties = await make_counties()
    session_id = await make_session(counties)
    registered = await enrollment.register(session_id, registration(counties[0], 1), base_url=BASE_URL)
    worker = MailWorker(mail_settings)
    while (await worker.run_once()).claimed:
        pass
    [message] = await asyncio.to_thread(smtp_server.wait_for, 1)
    pngs = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "image/png"]
    [text] = {r.text for png in pngs for r in zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))}
    # the session runs today (a block outside its session's dates takes no scans)
    await TrainingSession.update({TrainingSession.starts_on: today_local()}).where(
        TrainingSession.id == session_id
    )
    rows = await Block.insert(
        Block(session=session_id, day=today_local(), starts_at=time(0, 0), ends_at=time(23, 59), topic="开班")
    )
    scan = checkin.Scan(code=text, block_id=rows[0]["id"], client_id=uuid.uuid4().hex, device_id="door")
    result = await checkin.redeem(scan, Actor(None, "", "王老师", "staff"))
    assert (result.status, result.enrollment_id) == ("ok", registered.enrollment_id)
    assert result.name == registration(counties[0], 1)["name"]

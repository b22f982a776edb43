"""SMS in the durable outbox: stored encrypted, deduplicated, committed with the event, shown masked."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.kit.web import login_as
from tests.sms.helpers import outbox_row, queue_sms
from training import db
from training.config import Settings
from training.mail.outbox import decrypt_phone
from training.mail.worker import MailWorker
from training.sms.outbox import enqueue_sms
from training.sms.worker import SmsWorker


async def test_the_number_is_stored_encrypted_and_only_its_mask_is_readable(adb: Any) -> None:
    message_id = await queue_sms("+86 199-1234-5678", kind="code")
    row = await outbox_row(message_id)
    assert row["channel"] == "sms"
    assert row["to_addr"] == "199****5678"
    assert "19912345678" not in json.dumps(row, default=str)
    assert decrypt_phone(row["to_encrypted"]) == "19912345678"
    assert row["status"] == "pending"


async def test_a_dedupe_key_queues_one_message_and_leaves_email_keys_alone(adb: Any) -> None:
    from training.mail.outbox import enqueue

    async with db.transaction():
        first = await enqueue_sms("19912345678", "提醒", kind="reminder", dedupe_key="reminder:1:3d")
        second = await enqueue_sms("19912345678", "提醒", kind="reminder", dedupe_key="reminder:1:3d")
        mail = await enqueue("a@example.org", "提醒", "提醒", kind="reminder", dedupe_key="reminder:1:3d")
    assert first is not None and second is None and mail is not None


async def test_a_rolled_back_event_leaves_no_sms(adb: Any) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction():
            await enqueue_sms("19912345678", "不应发出", kind="code")
            raise Boom
    rows = await db.fetch("SELECT COUNT(*) AS n FROM outbox_message")
    assert int(rows[0]["n"]) == 0


async def test_a_number_that_is_not_a_mobile_is_refused(adb: Any) -> None:
    for bad in ("12345", "0831-1234567", "29912345678", ""):
        with pytest.raises(ValueError):
            async with db.transaction():
                await enqueue_sms(bad, "x", kind="code")


async def test_the_mail_worker_never_takes_an_sms(adb: Any, settings: Settings) -> None:
    message_id = await queue_sms()
    result = await MailWorker(settings).run_once()
    assert result.claimed == 0
    assert (await outbox_row(message_id))["status"] == "pending"


async def test_without_a_provider_an_sms_fails_and_says_why(adb: Any, settings: Settings) -> None:
    message_id = await queue_sms()
    result = await SmsWorker(replace(settings, sms_provider="none")).run_once()
    assert (result.claimed, result.failed) == (1, 1)
    row = await outbox_row(message_id)
    assert row["status"] == "failed"
    assert "TRAINING_SMS_PROVIDER" in row["last_error"]


def test_the_outbox_page_lists_sms_with_the_masked_number(client: Any) -> None:
    from tests.kit.sync import run_sync

    sms_id = run_sync(queue_sms("19912345678", "正文不应出现在页面上", kind="reminder"))
    login_as(client, "organiser")
    html = client.get("/admin/mail").text
    assert f'id="mail-{sms_id}"' in html
    assert "199****5678" in html and "19912345678" not in html
    assert "正文不应出现在页面上" not in html
    assert "短信" in html and "培训提醒" in html
    api = client.get("/api/v1/mail").json()
    item = next(i for i in api["items"] if i["id"] == sms_id)
    assert (item["channel"], item["to"], item["status"]) == ("sms", "199****5678", "pending")

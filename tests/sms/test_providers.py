"""Each provider client against a loopback server that speaks its documented protocol and checks the signature."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.kit.sync import run_sync
from tests.kit.web import login_as
from tests.sms.conftest import SIGN_NAME
from tests.sms.helpers import outbox_row, queue_sms
from tests.sms.servers import ProviderServer
from training.config import Settings
from training.mail.worker import utcnow
from training.sms.worker import SmsWorker

Provider = tuple[ProviderServer, Settings]


async def test_a_good_signature_is_accepted_and_the_message_sent_once(adb: Any, provider: Provider) -> None:
    server, settings = provider
    message_id = await queue_sms("19912345678", "明早8:00在县教师进修学校报到。", kind="reminder")
    result = await SmsWorker(settings).run_once()
    assert (result.claimed, result.sent) == (1, 1)
    assert server.answers == ["ok"]
    [accepted] = server.accepted
    assert accepted.phone.endswith("19912345678")
    assert accepted.text == "明早8:00在县教师进修学校报到。"
    assert accepted.sign_name == SIGN_NAME
    assert accepted.template == settings.sms_templates["default"]
    assert accepted.outbox_id == str(message_id)
    row = await outbox_row(message_id)
    assert row["status"] == "sent" and row["sent_at"] is not None
    assert (await SmsWorker(settings).run_once()).claimed == 0


async def test_each_kind_uses_its_own_template(adb: Any, provider: Provider) -> None:
    server, settings = provider
    await queue_sms(kind="code", text="验证码 482913，10分钟内有效。")
    await SmsWorker(settings).run_once()
    assert server.accepted[0].template == settings.sms_templates["code"]


async def test_a_bad_signature_is_refused_and_the_message_waits(adb: Any, provider: Provider) -> None:
    server, settings = provider
    message_id = await queue_sms()
    wrong = replace(settings, sms_access_key_secret="not-the-secret")
    result = await SmsWorker(wrong).run_once()
    assert (result.claimed, result.retried, result.sent) == (1, 1, 0)
    assert server.answers == ["bad_signature"] and server.accepted == []
    row = await outbox_row(message_id)
    assert row["status"] == "pending"
    assert (
        "SignatureDoesNotMatch" if settings.sms_provider == "aliyun" else "AuthFailure.SignatureFailure"
    ) in row["last_error"]
    # the operator fixes the key: the same message goes out, once
    later = utcnow() + timedelta(hours=1)
    assert (await SmsWorker(settings).run_once(now=later)).sent == 1
    assert len(server.accepted) == 1


@pytest.mark.parametrize("mode", ["throttle", "api_throttle", "error500"])
async def test_throttling_is_retried_with_back_off(adb: Any, provider: Provider, mode: str) -> None:
    server, settings = provider
    server.script = [mode, mode]
    message_id = await queue_sms()
    worker = SmsWorker(settings)
    assert (await worker.run_once()).retried == 1
    row = await outbox_row(message_id)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] > utcnow() + timedelta(seconds=5)  # backed off, not hammered
    assert (await worker.run_once()).claimed == 0  # not due yet
    assert (await worker.run_once(now=utcnow() + timedelta(minutes=5))).retried == 1
    assert (await worker.run_once(now=utcnow() + timedelta(hours=1))).sent == 1
    assert server.answers == [mode, mode, "ok"]
    assert len(server.accepted) == 1
    assert (await outbox_row(message_id))["attempts"] == 3


async def test_a_permanent_failure_is_failed_at_once(adb: Any, provider: Provider) -> None:
    server, settings = provider
    server.script = ["fail"]
    message_id = await queue_sms()
    assert (await SmsWorker(settings).run_once()).failed == 1
    row = await outbox_row(message_id)
    assert row["status"] == "failed" and row["attempts"] == 1
    assert (
        "isv.MOBILE_NUMBER_ILLEGAL" if settings.sms_provider == "aliyun" else "TemplateIncorrectOrUnapproved"
    ) in row["last_error"]


def test_a_permanent_failure_shows_on_the_outbox_page_and_resend_delivers_it(
    client: Any, provider: Provider
) -> None:
    from tests.kit.web import csrf_token

    server, settings = provider
    server.script = ["fail"]
    message_id = run_sync(queue_sms("19912345678", "您的报名已确认。", kind="confirmation"))
    run_sync(SmsWorker(settings).run_once())
    login_as(client, "organiser")
    html = client.get("/admin/mail?show=failed").text
    assert f'id="mail-{message_id}"' in html
    assert "199****5678" in html and "19912345678" not in html
    assert "短信" in html and "失败" in html
    code = (
        "isv.MOBILE_NUMBER_ILLEGAL" if settings.sms_provider == "aliyun" else "TemplateIncorrectOrUnapproved"
    )
    assert code in html
    client.post(f"/admin/mail/{message_id}/resend", data={"_csrf_token": csrf_token(client)})
    run_sync(SmsWorker(settings).run_once())
    assert run_sync(outbox_row(message_id))["status"] == "sent"
    assert len(server.accepted) == 1


async def test_an_unreachable_provider_defers_the_batch_without_waiting_for_each(
    adb: Any, provider: Provider
) -> None:
    server, settings = provider
    server.stop()
    ids = [await queue_sms(f"1991234{n:04d}") for n in range(5)]
    result = await SmsWorker(settings).run_once()
    assert (result.claimed, result.retried) == (5, 5)
    for message_id in ids:
        row = await outbox_row(message_id)
        assert row["status"] == "pending" and row["attempts"] == 1


async def test_two_workers_send_every_message_exactly_once(adb: Any, provider: Provider) -> None:
    server, settings = provider
    server.delay = 0.01  # sends overlap with the other worker's claims
    ids = [await queue_sms(f"1991234{n:04d}", f"第{n}条") for n in range(30)]
    first, second = SmsWorker(settings, batch_size=4), SmsWorker(settings, batch_size=4)
    results = await asyncio.gather(first.drain(), second.drain())
    assert sum(r.sent for r in results) == 30
    assert all(r.sent > 0 for r in results)  # both took part
    assert sorted(int(a.outbox_id) for a in server.accepted) == sorted(ids)
    assert len({a.phone for a in server.accepted}) == 30


async def test_logs_and_errors_carry_no_number(
    adb: Any, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    server, settings = provider
    server.script = ["throttle", "fail"]
    caplog.set_level(logging.DEBUG)
    first = await queue_sms("19912345678")
    second = await queue_sms("19887654321")
    await SmsWorker(settings).run_once()
    text = caplog.text + (await outbox_row(first))["last_error"] + (await outbox_row(second))["last_error"]
    for digits in ("19912345678", "12345678", "19887654321", "87654321"):
        assert digits not in text


async def test_a_request_altered_after_signing_is_refused(provider: Provider) -> None:
    import httpx

    from training.sms.providers import make_client

    server, settings = provider
    client: Any = make_client(settings)
    try:
        signed = client.build("19912345678", "原文", kind="reminder", outbox_id=1)
        if settings.sms_provider == "aliyun":
            url = str(signed.url).replace("19912345678", "19900000000")
            forged = httpx.Request("POST", url, headers=signed.headers, content=b"")
        else:
            body = signed.content.replace("原文".encode(), "改过".encode())
            forged = httpx.Request("POST", signed.url, headers=signed.headers, content=body)
        async with httpx.AsyncClient() as http:
            await http.send(forged)
            await http.send(signed)
    finally:
        await client.aclose()
    assert server.answers == ["bad_signature", "ok"]
    assert [a.text for a in server.accepted] == ["原文"]

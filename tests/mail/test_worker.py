"""The worker against a real SMTP server (aiosmtpd) and the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import PIL.Image
import pypdfium2
import pytest
import qrcode
import zxingcpp

from tests.kit.mail import MailSink
from tests.mail.conftest import RefuseRecipients
from training import db, keys
from training.config import Settings
from training.core.tokens import make_token
from training.mail.outbox import Attachment, enqueue
from training.mail.retry import RetryPolicy
from training.mail.tables import OutboxMessage
from training.mail.worker import MailWorker, claim, release, renew

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//training//CN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
    "UID:session-9@example.org\r\nDTSTAMP:20190601T000000Z\r\nDTSTART;VALUE=DATE:20190715\r\n"
    "DTEND;VALUE=DATE:20190719\r\nSUMMARY:第9期暑期教师培训班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


def png_of(text: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(text).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (200, 100), "white").save(buffer, format="PDF")
    return buffer.getvalue()


async def queue(to: str = "zhang.san@example.org", subject: str = "报名确认", **kwargs: Any) -> int:
    async with db.transaction():
        message_id = await enqueue(to, subject, "您好。", **kwargs)
    assert message_id is not None
    return message_id


async def row(message_id: int) -> dict[str, Any]:
    result = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert result is not None
    return result


async def test_confirmation_arrives_with_inline_qr_and_attachments(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    token = make_token(keys.current().qr_token, 1234)
    qr = png_of(token)
    pdf = pdf_bytes()
    message_id = await queue(
        to="zhang.san@example.org",
        to_name="张三",
        subject="报名确认：第9期暑期教师培训班",
        body_html='<p>请出示二维码：</p><img src="cid:qr" alt="二维码">',
        attachments=[
            Attachment("二维码.png", "image/png", qr, inline_cid="qr"),
            Attachment("二维码.png", "image/png", qr),
            Attachment("培训日程.ics", "text/calendar", ICS),
            Attachment("须知.pdf", "application/pdf", pdf),
        ],
        kind="confirmation",
        enrollment_id=1234,
    )
    result = await MailWorker(mail_settings).run_once()
    assert (result.claimed, result.sent) == (1, 1)

    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "报名确认：第9期暑期教师培训班"
    assert received["From"].addresses[0].display_name == "培训项目组"
    assert received["To"].addresses[0].display_name == "张三"
    html = received.get_body(("html",))
    assert html is not None and 'src="cid:qr"' in html.get_content()
    [inline] = [part for part in received.walk() if part["Content-ID"] == "<qr>"]
    decoded = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(inline.get_content())))
    assert [code.text for code in decoded] == [token]

    files = {part.get_filename(): part for part in received.iter_attachments()}
    assert set(files) == {"二维码.png", "培训日程.ics", "须知.pdf"}
    attached_qr = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(files["二维码.png"].get_content())))
    assert [code.text for code in attached_qr] == [token]
    assert files["培训日程.ics"].get_param("method") == "PUBLISH"
    assert files["培训日程.ics"].get_payload(decode=True) == ICS
    assert files["须知.pdf"].get_content() == pdf
    assert len(pypdfium2.PdfDocument(files["须知.pdf"].get_content())) == 1

    stored = await row(message_id)
    assert stored["status"] == "sent" and stored["sent_at"] is not None
    assert (stored["attempts"], stored["locked_by"], stored["locked_until"]) == (1, "", None)


async def test_smtp_outage_delays_the_message_which_is_then_sent_once(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    message_id = await queue()
    worker = MailWorker(mail_settings)
    smtp_server.stop()
    before = datetime.now(UTC)
    result = await worker.run_once()
    assert (result.claimed, result.retried, result.sent) == (1, 1, 0)
    stored = await row(message_id)
    assert stored["status"] == "pending"
    assert stored["attempts"] == 1
    assert stored["next_attempt_at"] > before + timedelta(seconds=RetryPolicy().base_seconds / 2 - 1)
    assert stored["last_error"]

    # Not due yet: nothing is claimed even though the relay is back.
    smtp_server.start()
    assert (await worker.run_once()).claimed == 0
    result = await worker.run_once(now=stored["next_attempt_at"] + timedelta(seconds=1))
    assert result.sent == 1
    assert len(smtp_server.wait_for(1)) == 1
    assert (await worker.run_once(now=datetime.now(UTC) + timedelta(days=1))).claimed == 0
    assert len(smtp_server.messages) == 1
    stored = await row(message_id)
    assert (stored["status"], stored["attempts"]) == ("sent", 2)


async def test_two_workers_deliver_fifty_messages_exactly_once(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    async with db.transaction():
        for n in range(50):
            await enqueue(f"teacher{n}@example.org", f"确认 {n}", "您好。")
    first = MailWorker(mail_settings, worker_id="worker-a", batch_size=4)
    second = MailWorker(mail_settings, worker_id="worker-b", batch_size=4)
    results = await asyncio.gather(first.drain(), second.drain())

    assert sum(r.sent for r in results) == 50
    received = smtp_server.wait_for(50)
    await asyncio.sleep(0)  # nothing else can still be in flight: both drains have returned
    assert len(smtp_server.messages) == 50
    assert sorted(m["Subject"] for m in received) == sorted(f"确认 {n}" for n in range(50))
    assert len({m["Message-ID"] for m in received}) == 50
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 50
    assert await OutboxMessage.count().where(OutboxMessage.attempts != 1) == 0


async def test_a_crashed_workers_claim_expires_and_is_sent_by_another(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    message_id = await queue()
    crashed_at = datetime.now(UTC)
    [claimed] = await claim("crashed-worker", crashed_at, timedelta(minutes=1), 10, 15)
    assert claimed["id"] == message_id

    survivor = MailWorker(mail_settings, worker_id="survivor")
    assert (await survivor.run_once(now=crashed_at + timedelta(seconds=59))).claimed == 0
    result = await survivor.run_once(now=crashed_at + timedelta(minutes=2))
    assert result.sent == 1
    assert len(smtp_server.wait_for(1)) == 1
    stored = await row(message_id)
    assert (stored["status"], stored["attempts"]) == ("sent", 2)


async def test_a_live_claim_is_not_taken_over(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    message_id = await queue()
    await claim("busy-worker", datetime.now(UTC), timedelta(minutes=5), 10, 15)
    assert (await MailWorker(mail_settings).run_once()).claimed == 0
    assert await release([message_id], "busy-worker") == 1
    stored = await row(message_id)
    assert (stored["status"], stored["attempts"], stored["locked_by"]) == ("pending", 0, "")


async def test_a_message_that_keeps_killing_its_worker_is_given_up(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    message_id = await queue()
    policy = RetryPolicy(max_attempts=2)
    start = datetime.now(UTC)
    for n in range(2):  # two workers die holding it
        assert await claim(f"dead-{n}", start + timedelta(minutes=10 * n), timedelta(minutes=1), 10, 2)
    result = await MailWorker(mail_settings, policy=policy).run_once(now=start + timedelta(minutes=30))
    assert result.claimed == 0
    stored = await row(message_id)
    assert stored["status"] == "failed" and "abandoned" in stored["last_error"]
    assert smtp_server.messages == []


async def test_permanent_refusal_marks_the_message_failed(
    adb: Any, mail_settings: Settings, smtp_server: MailSink, picky_relay: RefuseRecipients
) -> None:
    picky_relay.refused["nobody@example.org"] = "550 5.1.1 <nobody@example.org>: mailbox unavailable"
    bad = await queue(to="nobody@example.org")
    good = await queue(to="li.hua@example.org")
    result = await MailWorker(mail_settings).run_once()
    assert (result.sent, result.failed) == (1, 1)
    stored = await row(bad)
    assert stored["status"] == "failed"
    assert stored["last_error"].startswith("recipient refused: 550")
    assert "nobody@example.org" not in stored["last_error"]
    assert (await row(good))["status"] == "sent"
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["li.hua@example.org"]


async def test_temporary_refusal_is_retried_until_the_attempts_run_out(
    adb: Any, mail_settings: Settings, smtp_server: MailSink, picky_relay: RefuseRecipients
) -> None:
    picky_relay.refused["full@example.org"] = "452 4.2.2 mailbox full"
    message_id = await queue(to="full@example.org")
    worker = MailWorker(mail_settings, policy=RetryPolicy(max_attempts=3))
    clock = datetime.now(UTC)
    outcomes = []
    for _ in range(3):
        result = await worker.run_once(now=clock)
        outcomes.append((result.retried, result.failed))
        clock = (await row(message_id))["next_attempt_at"] + timedelta(seconds=1)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    stored = await row(message_id)
    assert stored["status"] == "failed"
    assert stored["last_error"].startswith("gave up after 3 attempts: recipient refused: 452")


async def test_a_broken_row_fails_without_touching_the_relay(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    message_id = await queue(to="not-an-address")
    result = await MailWorker(mail_settings).run_once()
    assert result.failed == 1
    assert "cannot build the message" in (await row(message_id))["last_error"]
    assert smtp_server.messages == []


async def test_stopping_mid_batch_gives_the_rest_back(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    ids = [await queue(subject=f"n{n}") for n in range(3)]
    stop = asyncio.Event()
    stop.set()
    result = await MailWorker(mail_settings).run_once(stop=stop)
    assert (result.claimed, result.sent, result.released) == (3, 0, 3)
    for message_id in ids:
        stored = await row(message_id)
        assert (stored["status"], stored["attempts"], stored["locked_by"]) == ("pending", 0, "")


async def test_the_run_loop_wakes_for_new_mail_and_stops_cleanly(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    stop = asyncio.Event()
    worker = MailWorker(mail_settings)
    # A poll interval far longer than the test: only enqueue()'s wake-up can make the worker send.
    task = asyncio.create_task(worker.run(stop, poll_seconds=3600))
    await asyncio.sleep(0.05)
    await queue(subject="woken")
    received = await asyncio.to_thread(smtp_server.wait_for, 1)
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    assert [m["Subject"] for m in received] == ["woken"]
    assert await OutboxMessage.count().where(OutboxMessage.status == "sent") == 1


async def test_a_dedupe_key_queues_one_message(adb: Any) -> None:
    async with db.transaction():
        first = await enqueue("a@example.org", "s", "t", dedupe_key="confirm:7")
        second = await enqueue("a@example.org", "s", "t", dedupe_key="confirm:7")
    assert first is not None and second is None
    assert await OutboxMessage.count() == 1


async def test_mail_is_queued_only_if_the_transaction_commits(adb: Any) -> None:
    class Boom(Exception):
        pass

    try:
        async with db.transaction():
            await enqueue("a@example.org", "s", "t")
            raise Boom
    except Boom:
        pass
    assert await OutboxMessage.count() == 0


async def test_relay_security_settings_reach_aiosmtplib(settings: Settings) -> None:
    from training.mail.sender import smtp_options

    assert smtp_options(settings)["start_tls"] is False and smtp_options(settings)["use_tls"] is False
    tls = smtp_options(replace(settings, smtp_security="tls", smtp_user="u", smtp_password="p"))
    assert (tls["use_tls"], tls["start_tls"], tls["username"], tls["password"]) == (True, False, "u", "p")
    assert smtp_options(replace(settings, smtp_security="starttls"))["start_tls"] is True


async def test_on_postgresql_mail_committed_elsewhere_wakes_the_worker(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    if mail_settings.is_sqlite:
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite workers in other processes poll")
    import asyncpg

    from training.mail.outbox import pg_listener

    stop = asyncio.Event()
    worker = MailWorker(mail_settings)
    async with pg_listener(mail_settings):
        # Polling once an hour: only the NOTIFY can make this worker send within the test.
        task = asyncio.create_task(worker.run(stop, poll_seconds=3600))
        await asyncio.sleep(0.1)
        other_process = await asyncpg.connect(mail_settings.database_url)
        try:
            async with other_process.transaction():
                await other_process.execute(
                    "INSERT INTO outbox_message (to_addr, subject, body_text, body_html, attachments, status, "
                    "attempts, next_attempt_at, locked_by, last_error, kind, created_at) VALUES "
                    "('a@example.org', 'from elsewhere', 'x', '', '[]', 'pending', 0, now(), '', '', '', now())"
                )
                await other_process.execute("NOTIFY training_outbox")
        finally:
            await other_process.close()
        received = await asyncio.to_thread(smtp_server.wait_for, 1)
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    assert [m["Subject"] for m in received] == ["from elsewhere"]


async def test_a_batch_goes_over_one_smtp_connection(
    adb: Any, mail_settings: Settings, smtp_server: MailSink, picky_relay: RefuseRecipients
) -> None:
    picky_relay.refused["nobody@example.org"] = "550 5.1.1 mailbox unavailable"
    for to in ("a@example.org", "nobody@example.org", "b@example.org"):
        await queue(to=to)
    result = await MailWorker(mail_settings).run_once()
    assert (result.sent, result.failed) == (2, 1)
    assert picky_relay.greetings == 1  # the refusal reset the envelope, not the connection


async def test_long_batches_reconnect_before_the_relays_per_connection_limit(
    adb: Any,
    mail_settings: Settings,
    smtp_server: MailSink,
    picky_relay: RefuseRecipients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from training.mail import sender

    monkeypatch.setattr(sender, "MESSAGES_PER_CONNECTION", 2)
    for n in range(5):
        await queue(subject=f"n{n}")
    assert (await MailWorker(mail_settings).run_once()).sent == 5
    assert picky_relay.greetings == 3
    assert len(smtp_server.wait_for(5)) == 5


async def test_the_in_server_worker_runs_only_when_enabled_and_stops_when_cancelled(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    from training.worker import run_in_server as run_mail_worker

    await asyncio.wait_for(run_mail_worker(replace(mail_settings, run_mail_worker=False)), timeout=5)

    task = asyncio.create_task(run_mail_worker(replace(mail_settings, run_mail_worker=True)))
    await queue(subject="via the server")
    received = await asyncio.to_thread(smtp_server.wait_for, 1)
    task.cancel()  # what the app's lifespan does on shutdown
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [m["Subject"] for m in received] == ["via the server"]
    assert await OutboxMessage.count().where(OutboxMessage.status == "sending") == 0


async def test_when_the_relay_does_not_answer_the_rest_of_the_batch_waits_without_trying(
    adb: Any, settings: Settings
) -> None:
    import socket
    import threading

    # A relay that accepts TCP connections and never says a word.
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    try:
        silent = replace(settings, smtp_port=listener.getsockname()[1], smtp_timeout=0.3)
        ids = [await queue(subject=f"n{n}") for n in range(3)]
        result = await MailWorker(silent).run_once()
        assert (result.claimed, result.retried) == (3, 3)
        assert len(connections) == 1
        for message_id in ids:
            stored = await row(message_id)
            assert (stored["status"], stored["attempts"]) == ("pending", 1)
            assert "Timeout" in stored["last_error"] or "timed out" in stored["last_error"].lower()
    finally:
        listener.close()
        for conn in connections:
            conn.close()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_the_worker_logs_in_to_a_relay_that_requires_it(
    adb: Any, settings: Settings, auth_relay: Any
) -> None:
    relay = replace(settings, smtp_port=auth_relay.port, smtp_user="training", smtp_password="wrong")
    message_id = await queue(subject="需要登录")
    result = await MailWorker(relay).run_once()
    assert result.retried == 1  # wrong credentials: the operator's to fix, the mail waits
    stored = await row(message_id)
    assert stored["status"] == "pending" and stored["last_error"].startswith("authentication failed: 535")

    relay = replace(relay, smtp_password="relay-secret")
    result = await MailWorker(relay).run_once(now=stored["next_attempt_at"] + timedelta(seconds=1))
    assert result.sent == 1
    assert auth_relay.subjects == ["需要登录"]


async def test_logs_name_messages_by_id_and_masked_recipient_only(
    adb: Any,
    mail_settings: Settings,
    smtp_server: MailSink,
    picky_relay: RefuseRecipients,
    caplog: pytest.LogCaptureFixture,
) -> None:
    picky_relay.refused["nobody@example.org"] = "550 5.1.1 <nobody@example.org>: no such user"
    async with db.transaction():
        await enqueue("zhang.san@example.org", "报名确认", "身份证号 510823199001011234 的正文")
        await enqueue("nobody@example.org", "报名确认", "另一封正文")
    caplog.set_level("DEBUG")
    result = await MailWorker(mail_settings).run_once()
    assert (result.sent, result.failed) == (1, 1)
    # Everything the product logged; "mail.log" is the test relay's own (aiosmtpd) logger.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "zh***@example.org" in logged and "no***@example.org" in logged
    for secret in ("zhang.san@example.org", "nobody@example.org", "510823199001011234", "正文"):
        assert secret not in logged


async def test_sent_mail_loses_its_body_after_the_retention_period(
    adb: Any, mail_settings: Settings, smtp_server: MailSink
) -> None:
    from training.mail.worker import RETENTION, purge_sent_bodies

    sent = await queue(subject="已发送", attachments=[Attachment("a.ics", "text/calendar", ICS)])
    await MailWorker(mail_settings).run_once()
    pending = await queue(subject="还没发")
    now = datetime.now(UTC)
    assert await purge_sent_bodies(now - RETENTION) == 0  # sent just now: kept
    assert await purge_sent_bodies(now + timedelta(seconds=1)) == 1
    stored = await OutboxMessage.select().where(OutboxMessage.id == sent).output(load_json=True).first()
    assert stored is not None
    assert (stored["body_text"], stored["body_html"], stored["attachments"]) == ("", "", [])
    assert (stored["status"], stored["subject"]) == ("sent", "已发送")
    assert (await row(pending))["body_text"] == "您好。"
    assert await purge_sent_bodies(now + timedelta(seconds=1)) == 0


async def test_a_lease_is_renewed_only_by_its_holder(adb: Any) -> None:
    message_id = await queue()
    now = datetime.now(UTC)
    await claim("holder", now, timedelta(minutes=1), 10, 15)
    assert await renew([message_id], "someone-else", now + timedelta(hours=1)) == set()
    assert await renew([message_id], "holder", now + timedelta(minutes=10)) == {message_id}
    stored = await row(message_id)
    assert stored["locked_until"] == now + timedelta(minutes=10)
    # Renewed: a claim after the original lease would have expired finds nothing to take.
    assert await claim("other", now + timedelta(minutes=5), timedelta(minutes=1), 10, 15) == []


async def test_a_slow_relay_never_gets_a_message_twice(adb: Any, mail_settings: Settings) -> None:
    """The relay takes longer to accept each message than the whole lease: the sender keeps its claim alive
    while it waits, so a second worker polling all along never takes a message in flight."""
    from aiosmtpd.controller import Controller

    from tests.kit.mail import free_port

    delivered: list[str] = []

    class SlowRelay:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            await asyncio.sleep(2.5)
            delivered.append(envelope.content.decode(errors="replace"))
            return "250 OK"

    port = free_port()
    controller = Controller(SlowRelay(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = replace(mail_settings, smtp_port=port)
        for n in range(3):
            await queue(subject=f"慢 {n}")
        slow = MailWorker(settings, worker_id="slow-sender", lease_seconds=1.2)
        eager = MailWorker(settings, worker_id="eager-poller", lease_seconds=1.2)
        sending = asyncio.create_task(slow.drain())
        for _ in range(200):  # until the slow sender holds the batch
            if await OutboxMessage.count().where(OutboxMessage.status == "sending") == 3:
                break
            await asyncio.sleep(0.05)
        stolen = 0
        while not sending.done():
            stolen += (await eager.run_once()).claimed
            await asyncio.sleep(0.2)
        assert (await sending).sent == 3
    finally:
        controller.stop()
    assert stolen == 0 and len(delivered) == 3
    assert await OutboxMessage.count().where(OutboxMessage.attempts != 1) == 0

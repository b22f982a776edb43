"""End to end: the server's own mail worker, `training worker` processes, and the organiser resending."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.kit.live import LiveServer
from tests.kit.mail import MailSink
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user
from tests.mail.conftest import RefuseRecipients
from tests.mail.helpers import queue, status_of
from training import db
from training.config import Settings
from training.mail.outbox import enqueue
from training.mail.tables import OutboxMessage


async def queue_many(count: int) -> None:
    async with db.transaction():
        for n in range(count):
            await enqueue(f"teacher{n}@example.org", f"确认 {n}", "您好。")


def open_outbox_as_organiser(page: Any, live_server: LiveServer) -> None:
    create_user("li", "organiser")
    page.goto(live_server.url("/login?next=/admin/mail"))
    page.fill("#f-username", "li")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/mail")


def worker_environment(settings: Settings) -> dict[str, str]:
    """What `training worker` needs to use the test's database and SMTP server."""
    return {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_SMTP_HOST": settings.smtp_host,
        "TRAINING_SMTP_PORT": str(settings.smtp_port),
        "TRAINING_LOG_LEVEL": "WARNING",
    }


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_the_servers_background_worker_delivers_queued_mail(
    live_server: LiveServer, smtp_server: MailSink
) -> None:
    message_id = queue("zhang.san@example.org", "报名确认（后台发送）")
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "报名确认（后台发送）"
    wait_until(lambda: status_of(message_id) == "sent", "the row to be marked sent")
    assert "zhang.san@example.org" not in live_server.log()


def test_two_worker_processes_deliver_each_message_exactly_once(
    mail_settings: Settings, engine: Any, smtp_server: MailSink, tmp_path: Path
) -> None:
    environment = worker_environment(mail_settings)
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "training", "worker", "--concurrency", "2"],
            env=environment,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        wait_until(
            lambda: all("mail worker started" in log.read_text() for log in logs if log.exists()),
            "both workers to start",
            timeout=60,
        )
        # Queued while both are idle and polling: they wake together and compete for the same rows.
        run_sync(queue_many(50))
        received = smtp_server.wait_for(50, timeout=60)
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in workers]
    assert codes == [0, 0], [log.read_text() for log in logs]
    assert all("mail worker stopped" in log.read_text() for log in logs)
    # Both processes have exited: anything sent twice would be here now.
    assert len(smtp_server.messages) == 50
    assert sorted(m["Subject"] for m in received) == sorted(f"确认 {n}" for n in range(50))
    assert run_sync(OutboxMessage.count().where(OutboxMessage.status == "sent").run()) == 50


@pytest.mark.browser
def test_organiser_resends_a_refused_message_from_the_page(
    smtp_server: MailSink,
    picky_relay: RefuseRecipients,
    live_server: LiveServer,
    desktop_page: Any,
    screenshots: Any,
) -> None:
    picky_relay.refused["zhang.san@example.org"] = "550 5.1.1 mailbox unavailable"
    message_id = queue("zhang.san@example.org", "报名确认：第9期暑期教师培训班")
    wait_until(lambda: status_of(message_id) == "failed", "the refusal to be recorded")

    page = desktop_page
    open_outbox_as_organiser(page, live_server)
    row = page.locator(f"#mail-{message_id}")
    assert row.locator(".recipient").inner_text() == "zh***@example.org"
    assert "550" in row.locator(".last-error").inner_text()
    assert page.locator('[data-status="failed"]').inner_text() == "1"
    screenshots(page, "failed")

    picky_relay.refused.clear()  # the mailbox exists again
    row.get_by_role("button", name="重新发送").click()
    page.wait_for_url(f"**/admin/mail?resent={message_id}")
    assert page.locator(".alert-ok").is_visible()
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "报名确认：第9期暑期教师培训班"
    wait_until(lambda: status_of(message_id) == "sent", "the resent message to be marked sent")
    page.goto(live_server.url("/admin/mail?show=sent"))
    assert page.locator(f"#mail-{message_id}").is_visible()
    screenshots(page, "sent")


@pytest.mark.browser
def test_the_outbox_page_fits_a_phone(live_server: LiveServer, phone_page: Any, screenshots: Any) -> None:
    failed = queue(
        "zhang.san@example.org", "报名确认：第9期暑期教师培训班", "failed", "recipient refused: 550 5.1.1"
    )
    queue("li.si@example.org", "候补转正通知", "pending")
    page = phone_page
    open_outbox_as_organiser(page, live_server)
    resend = page.locator(f"#mail-{failed}").get_by_role("button", name="重新发送")
    resend.scroll_into_view_if_needed()
    assert resend.bounding_box()["height"] >= 36  # a touch target, not a link-sized button
    # The page itself never scrolls sideways; only the table's own wrapper does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshots(page, "phone")


def test_training_worker_once_sends_what_is_due_and_exits(
    mail_settings: Settings, engine: Any, smtp_server: MailSink
) -> None:
    for n in range(3):
        queue(f"teacher{n}@example.org", f"一次 {n}")
    done = subprocess.run(
        [sys.executable, "-m", "training", "worker", "--once"],
        env=worker_environment(mail_settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "sent 3" in done.stdout
    assert sorted(m["Subject"] for m in smtp_server.wait_for(3)) == ["一次 0", "一次 1", "一次 2"]

"""Attendance corrections in Debian's chromium on a phone: a scan outside the block's check-in window is recorded
only after staff confirm it, and staff undo a scan with a reason after confirming the click."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.checkin.world import LOCAL
from tests.kit import world as kit
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from training.audit.tables import AuditEntry
from training.checkin import assignments
from training.checkin.tables import CheckIn
from training.core.actor import Actor


async def _session_with_a_block_not_open_now() -> tuple[int, int, str, str]:
    """A session today with one block whose check-in window does not include now (two hours ahead, or behind
    late in the evening); returns (session, block, the teacher's manual code, her name)."""
    now = datetime.now(LOCAL)
    today = now.date()
    start = (now + timedelta(hours=2)).hour if now.hour < 20 else now.hour - 4
    county = await kit.county("510823", "剑阁县", prefecture="")
    session = await kit.session(
        await kit.programme(),
        year=today.year,
        title="第9期暑期教师培训班",
        starts_on=today,
        ends_on=today + timedelta(days=1),
        capacity=50,
    )
    block = await kit.block(session, today, time(start, 0), time(start + 1, 0), topic="课堂观察")
    teacher = await kit.teacher(county, name="测试王芳")
    code = f"K{kit.serial():07d}"
    await kit.enrollment(session, teacher, manual_code=code)
    return session, block, code, "测试王芳"


@pytest.mark.browser
def test_staff_confirm_a_scan_outside_the_window_and_undo_it_with_a_reason(
    live_server: LiveServer, phone_page: Any, screenshots: Any
) -> None:
    session, block, code, name = run_sync(_session_with_a_block_not_open_now())
    user_id = kit.create_user("zhou", "staff")
    run_sync(assignments.set_assignments(Actor(None, "t", "t", "organiser"), user_id, {session}))
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url("/login?next=/checkin/scan"))
    page.fill("#f-username", "zhou")
    page.fill("#f-password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/checkin/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    assert page.locator("#pick-block").input_value() == str(block)

    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_selector("#result.result-warn[data-status='outside_window']")
    expect(page.locator("#window-confirm")).to_be_visible()
    expect(page.locator("#result-name")).to_have_text(name)
    assert "仍然记录" in page.locator("#window-text").inner_text()
    assert run_sync(CheckIn.count().run()) == 0  # nothing until staff confirm
    box = page.locator("#window-yes").bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's target
    screenshots(page, "outside-window-asks")

    page.click("#window-yes")
    page.wait_for_selector("#result.result-ok[data-status='ok']")
    expect(page.locator("#window-confirm")).to_be_hidden()
    [row] = run_sync(CheckIn.select())
    assert row["voided_at"] is None
    entries = run_sync(AuditEntry.select().where(AuditEntry.action == "checkin_outside_window"))
    assert len(entries) == 1 and entries[0]["actor_name"] == "Zhou"
    screenshots(page, "confirmed")

    page.click("#corrections-link")
    page.wait_for_url(f"**/checkin/blocks/{block}/attendance")
    page.click("summary.button.danger")
    screenshots(page, "undo-open")
    dialogs: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        dialogs.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))  # changed her mind: nothing is sent
    page.click("form[action*='/void'] button[type=submit]")
    assert dialogs and name in dialogs[0]
    assert run_sync(CheckIn.select().where(CheckIn.voided_at.is_null())) != []

    page.once("dialog", lambda d: answer(d, True))  # no reason given: refused, shown next to the field
    page.click("form[action*='/void'] button[type=submit]")
    page.wait_for_selector("textarea[aria-invalid='true']")
    expect(page.locator(".correction .error")).to_have_text("请填写撤销原因。")
    screenshots(page, "undo-needs-a-reason")

    page.fill("textarea[name=reason]", "扫错了人：应为下午的课")
    page.once("dialog", lambda d: answer(d, True))
    page.click("form[action*='/void'] button[type=submit]")
    page.wait_for_selector(".alert-ok")
    expect(page.locator(".voided")).to_contain_text("扫错了人：应为下午的课")
    [row] = run_sync(CheckIn.select())
    assert row["voided_at"] is not None and row["void_reason"] == "扫错了人：应为下午的课"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    screenshots(page, "undone")

    # Offline the phone asks the same question from its roster, queues the confirmed scan and sends it later.
    page.goto(live_server.url("/checkin/scan"))
    page.wait_for_selector("#scanner[data-ready='1']")
    page.context.set_offline(True)
    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_selector("#result[data-status='outside_window']")
    expect(page.locator("#window-confirm")).to_be_visible()
    page.click("#window-yes")
    page.wait_for_selector("#result.result-pending[data-status='ok']")
    assert run_sync(CheckIn.select().where(CheckIn.voided_at.is_null())) == []
    screenshots(page, "offline-confirmed-pending")
    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=20000)
    live = run_sync(CheckIn.select().where(CheckIn.voided_at.is_null()))
    assert len(live) == 1
    entries = run_sync(AuditEntry.select().where(AuditEntry.action == "checkin_outside_window"))
    assert len(entries) == 2
    assert errors == []

"""In chromium at 360×740 (a cheap phone; WeChat's in-app browser is Chromium too): a teacher registers with her
mobile only, the real server's worker sends her SMS to the provider's protocol server, and the SMS's short link
opens her page with her timetable and the QR code as an image."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.enrollment.factory import make_counties, make_session, registration
from tests.kit.live import LiveServer, start_live_server, stop_live_server
from tests.kit.sync import run_sync
from tests.sms.servers import AliyunServer
from training import db
from training.config import Settings
from training.core.clock import local_today
from training.programmes.tables import Block, TrainingSession

PHONE_360 = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def sms_live_server(
    settings: Settings, engine: Any, tmp_path: Path, sms_server: AliyunServer
) -> Iterator[LiveServer]:
    server = start_live_server(
        settings,
        tmp_path,
        TRAINING_MAIL_WORKER="true",
        TRAINING_SMS_PROVIDER="aliyun",
        TRAINING_SMS_ACCESS_KEY_ID=settings.sms_access_key_id,
        TRAINING_SMS_ACCESS_KEY_SECRET=settings.sms_access_key_secret,
        TRAINING_SMS_SIGN_NAME=settings.sms_sign_name,
        TRAINING_SMS_TEMPLATES="default=SMS_100000001",
        TRAINING_SMS_ENDPOINT=settings.sms_endpoint,
    )
    yield server
    stop_live_server(server)


async def _session_running_now() -> tuple[int, list[int], list[int]]:
    counties = await make_counties()
    session_id = await make_session(counties)
    today = local_today()
    await TrainingSession.update(
        {
            TrainingSession.starts_on: today - timedelta(days=1),
            TrainingSession.ends_on: today + timedelta(days=1),
        }
    ).where(TrainingSession.id == session_id)
    rows = await Block.insert(
        Block(
            session=session_id,
            day=today - timedelta(days=1),
            half_day="morning",
            starts_at=time(8, 0),
            ends_at=time(11, 30),
            topic="开班式与专题讲座",
            room="报告厅",
        ),
        Block(
            session=session_id,
            day=today - timedelta(days=1),
            half_day="afternoon",
            starts_at=time(14, 0),
            ends_at=time(17, 0),
            topic="课堂观察",
            room="201教室",
        ),
        Block(
            session=session_id,
            day=today + timedelta(days=1),
            half_day="morning",
            starts_at=time(8, 30),
            ends_at=time(11, 30),
            topic="说课与评课",
            room="302教室",
        ),
    )
    return session_id, counties, [int(r["id"]) for r in rows]


@pytest.mark.browser
def test_a_phone_only_teacher_gets_her_sms_and_sees_her_timetable(
    sms_live_server: LiveServer, sms_server: AliyunServer, browser: Any, screenshots: Any
) -> None:
    session_id, counties, blocks = run_sync(_session_running_now())
    values = registration(counties[0], 7, email="")
    context = browser.new_context(**PHONE_360, locale="zh-CN")
    page = context.new_page()
    page.goto(sms_live_server.url(f"/sessions/{session_id}/register"))
    assert page.locator("#f-email").get_attribute("required") is None
    page.fill("#f-name", values["name"])
    page.fill("#f-id_number", values["id_number"])
    page.select_option("#f-gender", values["gender"])
    page.select_option("#f-ethnicity", values["ethnicity"])
    page.fill("#f-phone", values["phone"])
    page.select_option("#f-county", values["county"])
    page.fill("#f-school", values["school"])
    page.select_option("#f-subject", values["subject"])
    page.select_option("#f-grade_band", values["grade_band"])
    page.select_option("#f-title", values["title"])
    page.fill("#f-years_teaching", values["years_teaching"])
    page.check("#f-consent")
    screenshots(page, "form-phone-only")
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")

    deadline = clock.monotonic() + 20
    while not sms_server.accepted and clock.monotonic() < deadline:
        clock.sleep(0.2)
    [sms] = sms_server.accepted
    assert sms.phone == values["phone"] and "报名成功" in sms.text
    link = sms.text.rsplit(" ", 1)[-1]
    path = "/m/" + link.split("/m/", 1)[1]

    # she attended yesterday morning's block
    enrollment = run_sync(db.fetch('SELECT "id" FROM "enrollment" WHERE "session" = {}', session_id))[0]["id"]
    run_sync(
        db.fetch(
            'INSERT INTO "check_in" ("enrollment", "block", "scanned_at", "recorded_at", "staff_name", "device_id", '
            '"client_id") VALUES ({}, {}, {}, {}, {}, {}, {})',
            enrollment,
            blocks[0],
            datetime.now(UTC),
            datetime.now(UTC),
            "",
            "",
            "browser-test-1",
        )
    )
    page.goto(sms_live_server.url(path))
    page.wait_for_url("**/me/**")
    timetable = page.locator("#my-timetable")
    timetable.scroll_into_view_if_needed()
    assert "已上 2 节课，您签到 1 节" in timetable.inner_text()
    slots = page.locator(".tt-slot")
    assert slots.count() == 3
    assert "attended" in (slots.nth(0).get_attribute("class") or "")
    assert "missed" in (slots.nth(1).get_attribute("class") or "")
    assert "08:30" in slots.nth(2).inner_text() and "302教室" in slots.nth(2).inner_text()
    qr = page.locator("img.qr")
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0
    assert "长按二维码" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    screenshots(page, "my-page-with-timetable")
    context.close()


@pytest.mark.browser
def test_the_public_session_page_shows_the_timetable_on_a_phone(
    live_server: LiveServer, browser: Any, screenshots: Any
) -> None:
    session_id, _counties, _blocks = run_sync(_session_running_now())
    context = browser.new_context(**PHONE_360, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url(f"/sessions/{session_id}/register"))
    timetable = page.locator("#my-timetable")
    assert timetable.is_visible()
    assert timetable.locator("h2").inner_text() == "日程"
    assert page.locator(".tt-day").count() == 2
    slots = page.locator(".tt-slot")
    assert slots.count() == 3
    first, last = slots.nth(0).inner_text(), slots.nth(2).inner_text()
    assert "08:00–11:30" in first and "开班式与专题讲座" in first and "报告厅" in first
    assert "08:30–11:30" in last and "302教室" in last
    # nobody's attendance on a public page: yesterday's blocks are neither "missed" nor "not checked in"
    assert "missed" not in (slots.nth(0).get_attribute("class") or "")
    assert "未签到" not in timetable.inner_text() and "签到" not in timetable.inner_text()
    assert page.locator("#register-form").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    timetable.scroll_into_view_if_needed()
    screenshots(page, "session-page-timetable")
    context.close()

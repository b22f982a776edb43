"""The dashboard and the yearly report in a real browser: a phone, and print."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.sync import run_sync
from training.demo import load_demo


@pytest.fixture
def own_browser() -> Any:
    """A browser for this test only: the shared session browser keeps an event loop running on the main
    thread, which breaks asyncio.run() in the database fixtures of every test collected after it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(own_browser: Any) -> Any:
    context = own_browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(own_browser: Any) -> Any:
    context = own_browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-username", "organiser")
    page.fill("#f-password", "training-2019-org")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_dashboard_on_a_phone_fits_and_shows_the_charts(
    live_server: Any, phone: Any, screenshots: Any, engine: Any
) -> None:
    run_sync(load_demo())
    log_in(phone, live_server.base_url)
    phone.goto(live_server.url("/stats"))
    assert phone.locator("h1").inner_text() == "参训统计"
    # nothing wider than the screen except inside the scrollable table wrappers
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    charts = phone.locator("svg.chart")
    assert charts.count() == 4
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] <= 390 and box["height"] > 60
    assert phone.locator("svg.chart title").first.text_content() == "各县培训教师人数"
    screenshots(phone, "dashboard-phone")
    phone.select_option("#f-programme", label="江苏民进“彩虹行动”培训班")
    phone.click("text=筛选")
    phone.wait_for_load_state()
    assert "programme=" in phone.url
    assert phone.locator(".stats-headline .stat").first.locator(".value").inner_text() == "6"
    screenshots(phone, "dashboard-phone-exchange")


@pytest.mark.browser
def test_yearly_report_prints_without_navigation(
    live_server: Any, desktop: Any, screenshots: Any, engine: Any
) -> None:
    run_sync(load_demo())
    log_in(desktop, live_server.base_url)
    desktop.emulate_media(media="print")
    desktop.goto(live_server.url("/stats/report/2019"))
    assert not desktop.locator(".topbar").is_visible()
    assert not desktop.locator("text=返回统计页").is_visible()
    assert desktop.locator("h1").inner_text() == "教师培训 2019 年度参训统计报告"
    screenshots(desktop, "report-print")
    pdf = desktop.pdf(format="A4")
    assert pdf.startswith(b"%PDF")

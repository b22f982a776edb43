"""The dashboard and the yearly report in a real browser: a phone, and print."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import run_sync
from training.demo import load_demo


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-username", "organiser")
    page.fill("#f-password", "training-2019-org")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_dashboard_on_a_phone_fits_and_shows_the_charts(
    live_server: Any, phone_page: Any, screenshots: Any, engine: Any
) -> None:
    run_sync(load_demo())
    log_in(phone_page, live_server.base_url)
    phone_page.goto(live_server.url("/stats"))
    assert phone_page.locator("h1").inner_text() == "参训统计"
    # nothing wider than the screen except inside the scrollable table wrappers
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    charts = phone_page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] <= 390 and box["height"] > 60
    assert phone_page.locator("svg.chart title").first.text_content() == "各县培训教师人数"
    screenshots(phone_page, "dashboard-phone")
    phone_page.select_option("#f-programme", label="江苏民进“彩虹行动”培训班")
    phone_page.click("text=筛选")
    phone_page.wait_for_load_state()
    assert "programme=" in phone_page.url
    assert phone_page.locator(".stats-headline .stat").first.locator(".value").inner_text() == "6"
    screenshots(phone_page, "dashboard-phone-exchange")


@pytest.mark.browser
def test_yearly_report_prints_without_navigation(
    live_server: Any, desktop_page: Any, screenshots: Any, engine: Any
) -> None:
    run_sync(load_demo())
    log_in(desktop_page, live_server.base_url)
    desktop_page.emulate_media(media="print")
    desktop_page.goto(live_server.url("/stats/report/2019"))
    assert not desktop_page.locator(".topbar").is_visible()
    assert not desktop_page.locator("text=返回统计页").is_visible()
    assert desktop_page.locator("h1").inner_text() == "教师培训 2019 年度参训统计报告"
    screenshots(desktop_page, "report-print")
    pdf = desktop_page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")

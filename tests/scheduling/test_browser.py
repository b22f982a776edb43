"""Debian's chromium against the real server: an organiser sets up a session end to end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.kit import world as kit
from tests.kit.browser import CHROMIUM, DESKTOP, PHONE
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user
from tests.scheduling.factories import ORGANISER, block, programme, session_draft
from training.programmes import service


@pytest.fixture
def own_browser(live_server: Any) -> Iterator[Any]:
    """A chromium per test, started after the live server (and its database) and closed before they go: the
    shared session-wide one keeps Playwright's event loop running in the main thread, which breaks every async
    test and every asyncio.run() (PostgreSQL test databases) that comes after it."""
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield instance
        instance.close()


@pytest.fixture
def desktop_page(own_browser: Any) -> Iterator[Any]:
    context = own_browser.new_context(**DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(own_browser: Any) -> Iterator[Any]:
    context = own_browser.new_context(**PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url("/login"))
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url("/admin"))


@pytest.mark.browser
def test_an_organiser_creates_publishes_and_lists_a_session(live_server, desktop_page, screenshots) -> None:
    page = desktop_page
    jiange = run_sync(kit.county("510823", "剑阁县"))
    xide = run_sync(kit.county("513432", "喜德县"))
    create_user("li", "organiser")
    log_in(page, live_server, "li")

    # A programme, through its page.
    page.goto(live_server.url("/admin/programmes"))
    page.fill("#f-name", "暑期教师培训班")
    page.fill("#f-slug", "summer")
    page.select_option("#f-kind", "summer")
    page.click("text=添加培训项目 >> nth=-1")
    page.wait_for_url("**/admin/programmes?done=saved")

    # The session: a mistake first (last day before the first), shown next to the field.
    page.goto(live_server.url("/admin"))
    page.click("text=新建培训班")
    page.fill("#f-title", "第10期暑期教师培训班")
    page.fill("#f-number", "10")
    page.fill("#f-starts_on", "2030-07-15")
    page.fill("#f-ends_on", "2030-07-14")
    page.fill("#f-host_city", "剑阁县")
    page.fill("#f-venue", "剑阁县教师进修学校")
    page.fill("#f-capacity", "60")
    page.select_option("#f-mode", "open")
    page.fill("#f-registration_opens_at", "2030-05-10T09:00")
    page.fill("#f-registration_closes_at", "2030-06-30T18:00")
    page.select_option("#f-completion_kind", "hours")
    page.fill("#f-completion_value", "12")
    page.fill("#f-contact_name", "李老师")
    page.click("button:has-text('创建培训班')")
    assert "最后一天早于第一天" in page.inner_text("#e-ends_on")
    screenshots(page, "session-form-error")
    page.fill("#f-ends_on", "2030-07-16")
    page.click("button:has-text('创建培训班')")
    page.wait_for_url("**/admin/sessions/*?done=created")
    session_url = page.url.split("?")[0]

    # Quotas: two counties, 30 seats each.
    page.click(".subnav >> text=各县名额")
    page.check(f"#el-{jiange}")
    page.fill(f"#f-quota_{jiange}", "30")
    page.check(f"#el-{xide}")
    page.fill(f"#f-quota_{xide}", "30")
    assert page.inner_text("#quota-total") == "60"  # the running total (static JS, allowed by the CSP)
    page.fill("#f-release_unused_quota_on", "2030-06-20")
    page.click("button:has-text('保存名额')")
    page.wait_for_url("**/quotas?done=saved")
    screenshots(page, "quotas")

    # A two-day timetable, a whole day at a time.
    page.click(".subnav >> text=日程")
    for day, topics in (
        ("2030-07-15", ("开班仪式与专题讲座", "示范课")),
        ("2030-07-16", ("分组研讨", "结业典礼")),
    ):
        page.fill("#add-day #f-day", day)
        page.check("#add-day input[name=morning]")
        page.check("#add-day input[name=afternoon]")
        page.fill("#f-morning_topic", topics[0])
        page.fill("#f-afternoon_topic", topics[1])
        page.click("button:has-text('添加这一天')")
        page.wait_for_url("**/timetable?done=added")
    assert page.locator(".card.day").count() == 2
    assert page.locator("li.block").count() == 4
    screenshots(page, "timetable")

    # Publish.
    page.goto(session_url)
    page.click("button:has-text('发布')")
    page.wait_for_url("**?done=published")
    assert "已发布" in page.inner_text("h1")
    screenshots(page, "published")

    # Listed: on the organiser overview and in the JSON API.
    page.goto(live_server.url("/admin"))
    row = page.locator("table.sessions tr", has_text="第10期暑期教师培训班")
    assert "已发布" in row.inner_text()
    api = page.request.get(live_server.url("/api/v1/sessions?status=published")).json()
    assert [s["title"] for s in api["items"]] == ["第10期暑期教师培训班"]
    blocks = page.request.get(live_server.url(f"/api/v1/sessions/{api['items'][0]['id']}/blocks")).json()
    assert blocks["total"] == 4
    screenshots(page, "overview")

    # Every step is in the audit log, with who did it.
    page.goto(live_server.url("/admin/audit"))
    assert page.locator("ul.audit > li").count() >= 7
    assert "Li" in page.inner_text("ul.audit")
    screenshots(page, "audit")


@pytest.mark.browser
def test_the_session_pages_fit_a_phone(live_server, phone_page, screenshots) -> None:
    page = phone_page
    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid)))
    run_sync(service.set_quotas(ORGANISER, sid, {cid: 10}, None))
    run_sync(service.add_blocks(ORGANISER, sid, [block(), block(half="afternoon")]))
    create_user("li", "organiser")
    log_in(page, live_server, "li")
    for path, name in (
        (f"/admin/sessions/{sid}", "session"),
        (f"/admin/sessions/{sid}/timetable", "timetable"),
        (f"/admin/sessions/{sid}/edit", "edit"),
        (f"/admin/sessions/{sid}/quotas", "quotas"),
        ("/admin/calendar", "calendar"),
    ):
        page.goto(live_server.url(path))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        screenshots(page, f"phone-{name}")

"""The organiser issues certificates in a real browser against the real server; a phone verifies one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.certificates.factory import attend, make_teacher, make_world, participants
from tests.kit.browser import CHROMIUM, DESKTOP, PHONE
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from tests.kit.world import create_user
from training.certificates.tables import Certificate


@pytest.fixture
def pages() -> Iterator[tuple[Any, Any]]:
    """A desktop and a phone page from a browser of this test's own.

    The shared session-wide browser keeps Playwright's event loop running in the main thread until the end of
    the run, which breaks every async test collected after this directory; a function-scoped browser does not.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        desktop = browser.new_context(**DESKTOP, locale="zh-CN")
        phone = browser.new_context(**PHONE, locale="zh-CN")
        yield desktop.new_page(), phone.new_page()
        browser.close()


@pytest.mark.browser
def test_organiser_issues_from_the_page_and_a_phone_verifies(
    live_server: LiveServer, pages: tuple[Any, Any], screenshots: Any
) -> None:
    desktop_page, phone_page = pages
    world = run_sync(make_world())
    run_sync(participants(world, 5))
    _, short = run_sync(make_teacher(world, "李明"))
    run_sync(attend(world, short, 5))
    create_user("li", "organiser")
    page = desktop_page
    page.goto(live_server.url(f"/admin/certificates/sessions/{world.session_id}"))
    page.fill("#f-username", "li")
    page.fill("#f-password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/admin/certificates/sessions/{world.session_id}")
    screenshots(page, "eligibility")
    assert "差 3 学时" not in page.content()  # the short list shows the number in its own column
    page.click("#issue button[type=submit]")
    page.click("form.confirm-actions button[type=submit]")  # the batch asks first: how many, how many mails
    expect(page.locator("#issue-status")).to_contain_text("5 份已生成并发送", timeout=60_000)
    screenshots(page, "issued")
    assert page.locator("#issued-count").inner_text() == "5"

    first = run_sync(Certificate.select().where(Certificate.seq == 1).first().run())
    page.goto(live_server.url(f"/admin/certificates/enrollments/{first['enrollment']}"))
    page.wait_for_load_state("networkidle")
    assert page.locator("img.cert-preview").evaluate("img => img.naturalWidth") > 800
    screenshots(page, "certificate")

    page.goto(live_server.url("/admin/certificates"))
    page.wait_for_load_state("networkidle")
    screenshots(page, "index-artwork")

    phone_page.goto(live_server.url(f"/verify/{first['serial']}"))
    assert "此证书真实有效" in phone_page.content()
    screenshots(phone_page, "verify-phone")

"""The pages of a certified registration in Chromium: the teacher's page on a phone says why it cannot be
cancelled; the organiser cancels it from the certificate page with a reason, and the page stays open after."""

from __future__ import annotations

from typing import Any

import pytest

from tests.certificates.test_browser import pages  # noqa: F401  (fixture)
from tests.certificates.test_cancellation import _certified
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from tests.kit.world import create_user
from training.certificates import verifying
from training.enrollment import service as enrollment


@pytest.mark.browser
def test_certified_registration_pages_on_phone_and_desktop(
    live_server: LiveServer,
    pages: tuple[Any, Any],  # noqa: F811
    screenshots: Any,
) -> None:
    desktop_page, phone_page = pages
    _, enrollment_id, serial = run_sync(_certified())
    token = run_sync(enrollment.view(enrollment_id)).link_token
    phone_page.goto(live_server.url(f"/me/{token}"))
    screenshots(phone_page, "teacher-page")
    assert "结业证书已颁发" in phone_page.inner_text("#no-cancel")
    assert phone_page.locator("form.cancel-form").count() == 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    create_user("li", "organiser")
    page = desktop_page
    page.goto(live_server.url(f"/admin/certificates/enrollments/{enrollment_id}"))
    page.fill("#f-username", "li")
    page.fill("#f-password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/admin/certificates/enrollments/{enrollment_id}")
    page.click("#cancel button[type=submit]")  # no reason: the browser's own check stops it
    page.evaluate("document.querySelector('#f-cancel-reason').removeAttribute('required')")
    page.click("#cancel button[type=submit]")
    page.wait_for_selector("#cancel .error")
    screenshots(page, "reason-required")
    page.fill("#f-cancel-reason", "本人未参训，经县教育局核实")
    page.click("#cancel button[type=submit]")
    page.wait_for_selector(".badge.revoked")
    screenshots(page, "cancelled-and-revoked")
    assert "本人未参训" in page.content()
    assert run_sync(verifying.verify(serial)).status == "revoked"

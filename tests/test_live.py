"""The real server process and a real browser: the plumbing every end-to-end test relies on."""

from typing import Any

import pytest

from tests.kit.live import LiveServer
from tests.kit.world import create_user


@pytest.mark.browser
def test_an_organiser_logs_in_with_a_real_browser(
    live_server: LiveServer, desktop_page: Any, screenshots: Any
) -> None:
    create_user("li", "organiser")
    page = desktop_page
    page.goto(live_server.url("/admin"))
    assert "/login" in page.url
    screenshots(page, "login")
    page.fill("#f-username", "li")
    page.fill("#f-password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin")
    assert page.locator("h1").inner_text() == "培训项目与班次"
    screenshots(page, "overview")


@pytest.mark.browser
def test_wrong_password_in_a_real_browser_keeps_the_user_name(
    live_server: LiveServer, phone_page: Any
) -> None:
    create_user("li", "organiser")
    page = phone_page
    page.goto(live_server.url("/login"))
    page.fill("#f-username", "li")
    page.fill("#f-password", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("#e-password").inner_text() == "用户名或密码错误。"
    assert page.input_value("#f-username") == "li"

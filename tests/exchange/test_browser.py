"""In chromium against a real server: an organiser makes a travel group with a leg, assigns teachers, drafts the
rooms and prints the rooming list; a teacher reads her itinerary and room on a 360 px phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.exchange.factory import cohort
from tests.kit.browser import DESKTOP, SMALL_PHONE
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user
from training import keys
from training.core.links import make_link_token


def _log_in(page: Any, server: LiveServer, username: str, target: str) -> None:
    page.goto(server.url(f"/login?next={target}"))
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


@pytest.mark.browser
def test_organiser_plans_travel_and_rooms_and_a_teacher_reads_hers_on_a_phone(
    live_server: LiveServer, browser: Any, screenshots: Any
) -> None:
    c = run_sync(cohort())
    create_user("zhou", "organiser")
    desk = browser.new_context(**DESKTOP, locale="zh-CN")
    page = desk.new_page()
    travel = f"/admin/exchange/{c.session_id}/travel"
    _log_in(page, live_server, "zhou", travel)

    page.fill("#f-name", "剑阁组")
    page.click("text=创建小组")
    page.wait_for_url("**/travel/groups/*")
    page.select_option("#f-mode", "train")
    page.fill("#f-number", "G1974")
    page.fill("#f-from_station", "成都东")
    page.fill("#f-to_station", "南通西")
    page.fill("#f-departs_at", "2027-10-14T07:50")
    page.fill("#f-arrives_at", "2027-10-14T06:30")  # before the departure: refused next to the field
    page.fill("#f-meet_name", "周老师")
    page.fill("#f-meet_phone", "19900000001")
    page.click(".leg-form button[type=submit]")
    expect(page.locator("#e-arrives_at")).to_be_visible()
    expect(page.locator("#f-number")).to_have_value("G1974")
    screenshots(page, "leg-error-next-to-the-field")
    page.fill("#f-arrives_at", "2027-10-14T19:30")
    page.click(".leg-form button[type=submit]")
    expect(page.locator("table.legs")).to_contain_text("G1974")
    screenshots(page, "group-with-leg")

    page.goto(live_server.url(travel))
    for name in ("张三梅", "李芳", "刘洋"):
        page.check(f"input[aria-label='{name}']")
    page.select_option("#f-group", label="剑阁组")
    page.click("#assign-form button[type=submit]")
    page.wait_for_url("**done=assigned")
    expect(page.locator(".travel-group")).to_contain_text("张三梅")
    screenshots(page, "teachers-assigned")

    page.goto(live_server.url(f"/admin/exchange/{c.session_id}/rooms"))
    page.fill("#f-hotel_name", "南通大饭店")
    page.click("form:has(#f-hotel_name) button[type=submit]")
    page.fill("#f-numbers", "301-303")
    page.fill("#f-capacity", "2")
    page.click(".add-rooms button[type=submit]")
    page.click("#run-draft")
    page.wait_for_url("**done=draft")
    expect(page.locator("table.rooms")).to_contain_text("张三梅")
    screenshots(page, "rooming-draft")
    page.click("#print-rooming")
    page.wait_for_url("**/rooms/print")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("h1").first).to_contain_text("南通大饭店")
    screenshots(page, "rooming-list-print")
    desk.close()

    phone = browser.new_context(**SMALL_PHONE, locale="zh-CN")
    mine = phone.new_page()
    mine.goto(live_server.url(f"/me/{make_link_token(keys.current().teacher_link, c.teachers['张三梅'])}"))
    trip = mine.locator("#my-trip")
    expect(trip).to_contain_text("G1974")
    expect(trip).to_contain_text("南通大饭店")
    expect(trip).to_contain_text("199****0001")
    assert mine.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    trip.scroll_into_view_if_needed()
    screenshots(mine, "teacher-itinerary-360px")
    phone.close()

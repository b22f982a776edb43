"""The Jiange coordinator nominates a teacher on file from her phone (360 px): search, see the flag, one click;
the nominee gets the e-mail and confirms from her link; the coordinator sees the answer. Real server, real SMTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.enrollment.test_nominate_from_file import world
from tests.kit.browser import DESKTOP, SMALL_PHONE
from tests.kit.live import LiveServer
from tests.kit.mail import MailSink
from tests.kit.world import PASSWORD, create_user


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def _log_in(page: Any, server: LiveServer, username: str, target: str) -> None:
    page.goto(server.url(f"/login?next={target}"))
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def _body(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


@pytest.mark.browser
def test_the_jiange_coordinator_nominates_on_her_phone_and_the_nominee_confirms(
    live_server: LiveServer, smtp_server: MailSink, browser: Any, screenshots: Any
) -> None:
    w = world()
    create_user("chen", "coordinator", county_id=w.jiange)
    create_user("zhou", "organiser")
    page = browser.new_context(**SMALL_PHONE, locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _log_in(page, live_server, "chen", "/nominations")
    page.click(f"a[href='/nominations/{w.cohort}'] >> nth=0")
    page.wait_for_url(f"**/nominations/{w.cohort}")
    expect(page.locator("#found-count")).to_contain_text("27")
    _fits(page)
    screenshots(page, "search-page")

    # she searches by name; the earlier exchange is flagged, and the button says what will happen
    page.fill("#f-q", "李明")
    page.click("form.nominee-search button[type=submit]")
    card = page.locator(f"li.candidate[data-teacher='{w.li}']")
    expect(card).to_contain_text("2025年已参加过交流")
    expect(page.locator("li.candidate")).to_have_count(1)
    button = card.locator("button.nominate-button")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 360
    _fits(page)
    screenshots(page, "found-flagged")
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    button.click()
    page.wait_for_url(f"**/nominations/{w.cohort}?done=nominated*")
    assert asked and "李明" in asked[0] and "剑阁县" in asked[0] and "2025" in asked[0]
    expect(page.locator("#nominated-flash")).to_contain_text("已推荐李明")
    expect(page.locator("#nominated-flash")).to_contain_text("邮件")
    row = page.locator("table.nominee-table tr[data-enrollment]", has_text="李明")
    expect(row).to_contain_text("待本人确认")
    expect(page.locator("ul.quota-lines")).to_contain_text("剑阁县：已推荐 1 / 2 人")
    _fits(page)
    screenshots(page, "nominated")

    # the nominee's e-mail carries her link; she confirms on her phone
    [message] = smtp_server.wait_for(1, timeout=60)
    assert "推荐" in message["Subject"]
    link = re.search(r"http://127\.0\.0\.1:\d+/me/[A-Za-z0-9_-]+", _body(message))
    assert link is not None, _body(message)
    teacher = browser.new_context(**SMALL_PHONE, locale="zh-CN").new_page()
    teacher.on("pageerror", lambda exc: errors.append(str(exc)))
    teacher.goto(link.group(0))
    expect(teacher.locator("#nomination-answer")).to_contain_text("您能参加吗")
    _fits(teacher)
    screenshots(teacher, "nominee-asked")
    teacher.click("#accept-nomination")
    expect(teacher.locator(".alert-ok").first).to_contain_text("您已确认参加")
    expect(teacher.locator("#accept-nomination")).to_have_count(0)
    _fits(teacher)
    screenshots(teacher, "nominee-confirmed")

    # the coordinator sees her answer
    page.goto(live_server.url(f"/nominations/{w.cohort}"))
    expect(page.locator("table.nominee-table tr[data-enrollment]", has_text="李明")).to_contain_text(
        "本人已确认参加"
    )
    screenshots(page, "coordinator-sees-answer")

    # on a laptop: the coordinator's search and list, and the organiser's selection with answer and flag
    laptop = browser.new_context(**DESKTOP, locale="zh-CN").new_page()
    laptop.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(laptop, live_server, "chen", f"/nominations/{w.cohort}")
    laptop.fill("#f-q", "剑阁县第一中学")
    laptop.click("form.nominee-search button[type=submit]")
    expect(laptop.locator(f"li.candidate[data-teacher='{w.li}']")).to_contain_text("本人已确认参加")
    _fits(laptop)
    screenshots(laptop, "coordinator-laptop")
    organiser = browser.new_context(**DESKTOP, locale="zh-CN").new_page()
    organiser.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(organiser, live_server, "zhou", f"/admin/enrollment/sessions/{w.cohort}")
    line = organiser.locator("table.roster tbody tr", has_text="李明")
    expect(line).to_contain_text("本人已确认参加")
    expect(line).to_contain_text("2025年已参加过交流")
    screenshots(organiser, "organiser-selection")
    assert errors == []

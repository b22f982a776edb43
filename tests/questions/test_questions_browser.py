"""Chromium against the real server: the organiser adds a question, a teacher answers it while registering on a
360 px phone (a mistake first: the error next to the field, what was typed kept), the organiser sees the answer on
the roster."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.enrollment.factory import make_counties, make_session, registration
from tests.kit.browser import DESKTOP, SMALL_PHONE
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user


@pytest.fixture
def small_phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**SMALL_PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.browser
def test_a_question_added_by_the_organiser_is_answered_on_a_small_phone_and_shown_on_the_roster(
    live_server: Any, browser: Any, desktop: Any, small_phone: Any, screenshots: Any
) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=20))
    create_user("li", "organiser")
    org = desktop
    org.goto(live_server.url("/login"))
    org.fill("#f-username", "li")
    org.fill("#f-password", PASSWORD)
    org.click("button[type=submit]")
    org.wait_for_url(live_server.url("/admin"))

    org.goto(live_server.url(f"/admin/sessions/{session_id}"))
    org.click("nav.subnav >> text=报名问题")
    org.wait_for_url(f"**/admin/sessions/{session_id}/questions")
    org.fill("#f-label", "饮食要求")
    org.select_option("#f-kind", "choice")
    org.fill("#f-choices", "无特殊要求\n清真\n素食")
    org.select_option("#f-visibility", "teacher")
    org.check("input[name=required]")
    org.fill("#f-key", "diet")
    screenshots(org, "organiser-adds")
    org.click("text=添加问题 >> nth=-1")
    org.wait_for_url("**/questions?done=added")
    assert "饮食要求" in org.inner_text("[data-testid=questions]")
    org.fill("#f-label", "到达时间")
    org.select_option("#f-kind", "datetime")
    org.click("text=添加问题 >> nth=-1")
    org.wait_for_url("**/questions?done=added")
    screenshots(org, "organiser-list")

    page = small_phone
    values = registration(counties[0], 9)
    page.goto(live_server.url(f"/sessions/{session_id}/register"))
    page.wait_for_selector("[data-testid=session-questions]")
    assert "饮食要求" in page.inner_text("[data-testid=session-questions]")
    page.fill("#f-name", values["name"])
    page.fill("#f-id_number", values["id_number"])
    page.select_option("#f-gender", values["gender"])
    page.select_option("#f-ethnicity", values["ethnicity"])
    page.fill("#f-phone", values["phone"])
    page.fill("#f-email", values["email"])
    page.select_option("#f-county", values["county"])
    page.fill("#f-school", values["school"])
    page.select_option("#f-subject", values["subject"])
    page.select_option("#f-grade_band", values["grade_band"])
    page.select_option("#f-title", values["title"])
    page.fill("#f-years_teaching", values["years_teaching"])
    page.fill("input[type=datetime-local]", "2030-07-14T16:20")
    page.check("#f-consent")
    # The required question left out: the error stands next to it, everything typed is still there.
    page.click("button[type=submit]")
    page.wait_for_selector("[data-question=diet] .error")
    assert "此项为必填" in page.inner_text("[data-question=diet]")
    assert page.input_value("#f-name") == values["name"]
    assert page.input_value("input[type=datetime-local]") == "2030-07-14T16:20"
    page.locator("[data-question=diet]").scroll_into_view_if_needed()
    screenshots(page, "teacher-error-360")
    assert _fits(page)
    page.click("[data-question=diet] >> text=清真")
    box = page.locator("[data-question=diet] label.checkbox").first.bounding_box()
    assert box is not None and box["height"] >= 40  # a large touch target
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")
    screenshots(page, "teacher-registered")

    org.goto(live_server.url(f"/admin/enrollment/sessions/{session_id}"))
    cells = org.locator("[data-testid=answer]").all_inner_texts()
    assert "清真" in cells and "2030-07-14 16:20" in cells
    assert "饮食要求" in org.inner_text("table.roster thead")
    screenshots(org, "organiser-roster")


@pytest.mark.browser
def test_a_coordinator_answers_the_nomination_questions_on_a_small_phone(
    live_server: Any, small_phone: Any, screenshots: Any
) -> None:
    from training.programmes import questions
    from training.programmes.questions import QuestionDraft

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=10, quotas=[3, 3, 3], mode="nomination"))
    run_sync(
        questions.create_question(
            None, session_id, QuestionDraft("推荐理由", kind="text", visibility="coordinator", required=True)
        )
    )
    run_sync(
        questions.create_question(
            None, session_id, QuestionDraft("需要单人间吗？", kind="yesno", key="single_room", required=True)
        )
    )
    create_user("jiange", "coordinator", counties[0])
    page = small_phone
    page.goto(live_server.url("/login"))
    page.fill("#f-username", "jiange")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    values = registration(counties[0], 11)
    page.goto(live_server.url(f"/nominations/{session_id}/new"))
    page.wait_for_selector("[data-testid=session-questions]")
    page.fill("#f-name", values["name"])
    page.fill("#f-id_number", values["id_number"])
    page.select_option("#f-gender", values["gender"])
    page.select_option("#f-ethnicity", values["ethnicity"])
    page.fill("#f-phone", values["phone"])
    page.fill("#f-email", values["email"])
    page.fill("#f-school", values["school"])
    page.select_option("#f-subject", values["subject"])
    page.select_option("#f-grade_band", values["grade_band"])
    page.select_option("#f-title", values["title"])
    page.fill("#f-years_teaching", values["years_teaching"])
    page.click("[data-question=single_room] >> text=是")
    page.click(f"form[action$='/nominations/{session_id}'] button[type=submit]")
    page.wait_for_selector(".has-error .error")
    assert "此项为必填" in page.inner_text("[data-testid=session-questions]")
    assert page.input_value("#f-name") == values["name"]
    assert page.is_checked("[data-question=single_room] input[value=yes]")
    page.locator("[data-testid=session-questions]").scroll_into_view_if_needed()
    screenshots(page, "nomination-error-360")
    assert _fits(page)
    page.fill("[data-testid=session-questions] input[type=text]", "县级骨干教师，乡村学校十年")
    page.click(f"form[action$='/nominations/{session_id}'] button[type=submit]")
    page.wait_for_url(f"**/nominations/{session_id}?**")
    screenshots(page, "nominated")
    from training.enrollment import answers

    assert list(run_sync(answers.answers_by_key(session_id)).values()) == [{"single_room": True}]

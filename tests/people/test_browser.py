"""The teacher edits her details on a 360×740 phone (a wrong code first), and someone else's registration with
her ID number shows its details as pending, in the real server and Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.enrollment.factory import BASE_URL, fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from training.enrollment import service
from training.people.tables import Teacher

NEW_EMAIL = "wang.new@example.org"


def _code_sent_to(smtp_server: Any, address: str, count: int) -> str:
    for message in smtp_server.wait_for(count):
        if address in str(message["To"]):
            found = re.search(r"\b(\d{6})\b", str(message["Subject"]))
            assert found
            return found.group(1)
    raise AssertionError("no code mail to " + address)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 362


@pytest.mark.browser
def test_a_teacher_changes_her_email_on_a_phone_after_a_wrong_code(
    smtp_server: Any, live_server: Any, phone: Any, screenshots: Any
) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=20))
    values = registration(counties[0], 1)
    token = run_sync(service.register(session_id, values, base_url=BASE_URL)).link_token
    page = phone
    page.goto(live_server.url(f"/me/{token}"))
    page.get_by_role("link", name="我的信息").click()
    page.wait_for_url("**/profile")
    screenshots(page, "details")
    _no_sideways_scroll(page)
    page.fill("#f-email", NEW_EMAIL)
    page.select_option("#f-subject", "数学")
    page.click("form[action$='/profile'] button[type=submit]")
    page.wait_for_url("**/profile?notice=code_sent")
    screenshots(page, "code-sent")
    code = _code_sent_to(smtp_server, NEW_EMAIL, 2)  # the confirmation, then the code
    wrong = "000000" if code != "000000" else "111111"
    page.fill("input[name=code]", wrong)
    page.click("form.code-form button[type=submit]")
    page.wait_for_selector(".code-form .error")
    assert "验证码不正确" in page.inner_text(".code-form .error")
    screenshots(page, "wrong-code")
    _no_sideways_scroll(page)
    assert fetch(Teacher.select().first())["email"] == values["email"]
    page.fill("input[name=code]", code)
    page.click("form.code-form button[type=submit]")
    page.wait_for_url("**/profile?notice=confirmed")
    screenshots(page, "confirmed")
    teacher = fetch(Teacher.select().first())
    assert teacher["email"] == NEW_EMAIL and teacher["subject"] == "数学"
    assert "wa***@example.org" in page.inner_text(".facts")


@pytest.mark.browser
def test_someone_elses_registration_with_her_id_waits_for_her_code_on_a_phone(
    smtp_server: Any, live_server: Any, phone: Any, screenshots: Any
) -> None:
    counties = run_sync(make_counties())
    first = run_sync(make_session(counties, capacity=20))
    second = run_sync(make_session(counties, capacity=20, title="第11期暑期教师培训班"))
    values = registration(counties[0], 1)
    run_sync(service.register(first, values, base_url=BASE_URL))
    page = phone
    page.goto(live_server.url(f"/sessions/{second}/register"))
    for name in ("name", "id_number", "email", "school", "years_teaching"):
        page.fill(f"#f-{name}", values[name])
    page.fill("#f-phone", "18612345678")
    page.fill("#f-email", "someone.else@example.net")
    for name in ("gender", "ethnicity", "county", "subject", "grade_band", "title"):
        page.select_option(f"#f-{name}", values[name])
    page.check("#f-consent")
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")
    screenshots(page, "registered-pending")
    assert "档案中的信息不同" in page.inner_text("main")
    page.get_by_role("link", name="确认我的信息").click()
    page.wait_for_url("**/profile")
    screenshots(page, "pending-details")
    assert "186****5678" in page.inner_text("main") and "18612345678" not in page.content()
    assert page.locator("form[action$='/profile']").count() == 0  # this link cannot edit her record
    page.click("form[action$='/send'] button")
    page.wait_for_url("**/profile?notice=code_sent")
    page.wait_for_selector(".code-form")
    screenshots(page, "code-to-contact-on-file")
    assert "te***@example.org" in page.inner_text(".code-form")
    page.fill("input[name=code]", "12345")
    page.click("form.code-form button[type=submit]")
    page.wait_for_selector(".code-form .error")
    screenshots(page, "wrong-code")
    _no_sideways_scroll(page)
    teacher = fetch(Teacher.select().first())
    assert teacher["phone_masked"] == "139****0001" and teacher["email"] == values["email"]


@pytest.mark.browser
def test_an_organiser_compares_reveals_and_confirms_a_change_then_edits_the_teacher_on_a_phone(
    live_server: Any, phone: Any, screenshots: Any
) -> None:
    from tests.kit.world import PASSWORD, create_user
    from training.audit.tables import AuditEntry
    from training.people.tables import TeacherChangeRequest

    counties = run_sync(make_counties())
    first = run_sync(make_session(counties, capacity=20))
    second = run_sync(make_session(counties, capacity=20, title="第11期暑期教师培训班"))
    values = registration(counties[0], 1)
    run_sync(service.register(first, values, base_url=BASE_URL))
    run_sync(
        service.register(
            second, {**values, "phone": "18612345678", "school": "剑阁县第一中学"}, base_url=BASE_URL
        )
    )
    create_user("li", "organiser")
    page = phone
    page.goto(live_server.url("/login"))
    page.fill("#f-username", "li")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url("/admin/teachers/changes"))
    screenshots(page, "pending-masked")
    assert "186****5678" in page.inner_text("main") and "18612345678" not in page.content()
    _no_sideways_scroll(page)
    page.click("form[action$='/reveal'] button")
    page.wait_for_selector("text=18612345678")
    screenshots(page, "revealed")
    page.click("button[value=confirm]")  # no reason yet
    page.wait_for_selector(".change-request .error")
    screenshots(page, "reason-required")
    page.fill(".change-request input[name=reason]", "本人来电确认换号")
    page.click("button[value=confirm]")
    page.wait_for_url("**/admin/teachers/changes?done=confirmed")
    screenshots(page, "confirmed")
    assert fetch(TeacherChangeRequest.select().first())["status"] == "applied"
    teacher = fetch(Teacher.select().first())
    assert teacher["phone_masked"] == "186****5678" and teacher["school_name"] == "剑阁县第一中学"
    page.goto(live_server.url("/admin/teachers?q=王老师"))
    screenshots(page, "search")
    page.click(f"a[href='/admin/teachers/{teacher['id']}/edit']")
    page.select_option("#f-title", "高级教师")
    page.fill("#f-reason", "职称评定结果")
    screenshots(page, "edit")
    _no_sideways_scroll(page)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/edit?done=saved")
    screenshots(page, "edited")
    assert fetch(Teacher.select().first())["title"] == "高级教师"
    actions = [r["action"] for r in fetch(AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id))]
    assert {"propose_change", "reveal_change", "confirm_change", "update"} <= set(actions)

"""End-to-end journeys in Debian's chromium against a real `training serve` process and a real SMTP server.

The server's own mail worker delivers to aiosmtpd; the QR code is decoded from the email's attachment with
zxing-cpp; every step is done through the pages a person would use, on a phone (teachers, staff) or a desktop
(organisers). Screenshots of each step land in artifacts/screenshots/<test>/.
(The offline scanner journey lives in tests/checkin/test_scanner_browser.py.)
"""

from __future__ import annotations

import io
from email.message import EmailMessage
from typing import Any

import PIL.Image
import pytest
import zxingcpp
from playwright.sync_api import expect

from tests.checkin.world import today_local
from tests.enrollment.factory import COUNTIES, make_counties, make_session, registration
from tests.kit import world as kit
from tests.kit.browser import DESKTOP, PHONE
from tests.kit.live import LiveServer
from tests.kit.mail import MailSink
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user


def _log_in(page: Any, server: LiveServer, username: str, target: str) -> None:
    page.goto(server.url(f"/login?next={target}"))
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def _attachments(message: EmailMessage, content_type: str) -> list[bytes]:
    parts = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == content_type]
    return [p for p in parts if isinstance(p, bytes)]


def _qr_texts(message: EmailMessage) -> set[str]:
    images = _attachments(message, "image/png")
    return {r.text for png in images for r in zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))}


def _pdf_qr_texts(pdf: bytes) -> set[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=3).to_pil()
    return {r.text for r in zxingcpp.read_barcodes(image)}


def _fill_teacher(page: Any, values: dict[str, Any]) -> None:
    """The teacher fields shared by the registration and nomination forms (county only where it is asked)."""
    for name in ("name", "id_number", "phone", "email", "years_teaching"):
        page.fill(f"#f-{name}", values[name])
    selects = ["gender", "ethnicity", "subject", "grade_band", "title"]
    if page.locator("#f-county").count():
        selects.insert(0, "county")
    for name in selects:
        page.select_option(f"#f-{name}", values[name])
    page.fill("#f-school", values["school"])


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


@pytest.mark.browser
def test_a_session_from_creation_to_a_verified_certificate(
    live_server: LiveServer, smtp_server: MailSink, browser: Any, screenshots: Any
) -> None:
    counties = run_sync(make_counties())
    run_sync(kit.programme())
    create_user("zhou", "organiser")
    create_user("wang", "staff")
    organiser = browser.new_context(**DESKTOP, locale="zh-CN").new_page()
    teacher = browser.new_context(**PHONE, locale="zh-CN").new_page()
    staff = browser.new_context(**PHONE, locale="zh-CN").new_page()
    errors: list[str] = []
    for page in (organiser, teacher, staff):
        page.on("pageerror", lambda error: errors.append(str(error)))
    today = today_local().isoformat()

    # 1. The organiser creates a one-day session (registration open now, no window), with a 3-hour threshold.
    page = organiser
    _log_in(page, live_server, "zhou", "/admin")
    page.click("text=新建培训班")
    page.fill("#f-title", "第11期暑期教师培训班")
    page.fill("#f-number", "11")
    page.fill("#f-starts_on", today)
    page.fill("#f-ends_on", today)
    page.fill("#f-host_city", "剑阁县")
    page.fill("#f-venue", "剑阁县教师进修学校")
    page.fill("#f-capacity", "40")
    page.select_option("#f-mode", "open")
    page.select_option("#f-completion_kind", "hours")
    page.fill("#f-completion_value", "3")
    page.fill("#f-contact_name", "周老师")
    screenshots(page, "organiser-new-session")
    page.click("button:has-text('创建培训班')")
    page.wait_for_url("**/admin/sessions/*?done=created")
    session_url = page.url.split("?")[0]
    session_id = int(session_url.rsplit("/", 1)[1])

    # ... a quota for Jiange ...
    page.click(".subnav >> text=各县名额")
    page.check(f"#el-{counties[0]}")
    page.fill(f"#f-quota_{counties[0]}", "20")
    page.click("button:has-text('保存名额')")
    page.wait_for_url("**/quotas?done=saved")
    screenshots(page, "organiser-quota")

    # ... a one-day timetable: the morning only (08:30–11:30, three hours) ...
    page.click(".subnav >> text=日程")
    page.fill("#add-day #f-day", today)
    page.check("#add-day input[name=morning]")
    page.uncheck("#add-day input[name=afternoon]")  # a whole day is proposed by default
    page.fill("#f-morning_topic", "开班仪式与专题讲座")
    page.click("button:has-text('添加这一天')")
    page.wait_for_url("**/timetable?done=added")
    assert page.locator("li.block").count() == 1
    screenshots(page, "organiser-timetable")

    # ... and publishes it.
    page.goto(session_url)
    page.click("button:has-text('发布')")
    page.wait_for_url("**?done=published")
    assert "已发布" in page.inner_text("h1")
    assert "未设报名时间" in page.inner_text("dl")  # not "— – —"
    screenshots(page, "organiser-published")

    # 2. A teacher registers on her phone through the public form.
    values = registration(counties[0], 7)
    page = teacher
    page.goto(live_server.url("/sessions"))
    _fits(page)
    screenshots(page, "teacher-sessions")
    page.click(f"a[href='/sessions/{session_id}/register']")
    page.wait_for_url(f"**/sessions/{session_id}/register")
    _fill_teacher(page, values)
    page.check("#f-consent")
    screenshots(page, "teacher-form")
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")
    assert "已确认" in page.inner_text(".big-status")
    _fits(page)
    screenshots(page, "teacher-confirmed")

    # 3. The confirmation email arrives, sent by the server's own mail worker; its QR decodes to the token.
    [message] = smtp_server.wait_for(1, timeout=60)
    assert message["To"] == values["email"]
    [token] = _qr_texts(message)

    # 4. On-site staff check her in on a phone, typing the token as a handheld scanner would.
    page = staff
    _log_in(page, live_server, "wang", "/checkin/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    assert page.locator("#pick-session").input_value() == str(session_id)
    screenshots(page, "staff-scanner-ready")
    page.fill("#code", token)
    page.press("#code", "Enter")
    # The morning block's check-in window (08:00–11:30 local) holds only when the suite runs in the morning;
    # outside it the scanner asks first, and staff record the scan anyway, as they would on the day.
    page.wait_for_selector("#result[data-status='ok'], #result[data-status='outside_window']")
    if page.get_attribute("#result", "data-status") == "outside_window":
        page.click("#window-yes")
    page.wait_for_selector("#result.result-ok[data-status='ok']")
    assert page.locator("#result-name").inner_text() == values["name"]
    assert "1 / 1" in page.locator("#count").inner_text()
    _fits(page)
    screenshots(page, "staff-checked-in")

    # 5. The organiser issues the certificate: the one block meets the 3-hour threshold.
    page = organiser
    page.goto(live_server.url(f"/admin/certificates/sessions/{session_id}"))
    screenshots(page, "organiser-eligibility")
    if page.locator("#f-early_reason").count():  # the morning block has not ended yet: an audited exception
        page.fill("#f-early_reason", "结业典礼提前")
    page.click("#issue button[type=submit]")
    page.click("form.confirm-actions button[type=submit]")  # the batch asks first: how many, how many mails
    expect(page.locator("#issue-status")).to_contain_text("1 份已生成并发送", timeout=90_000)
    assert page.locator("#issued-count").inner_text() == "1"
    screenshots(page, "organiser-issued")
    page.click(f"text={values['name']}")
    page.wait_for_url("**/admin/certificates/enrollments/*")
    screenshots(page, "organiser-certificate")

    # 6. The certificate arrives by email as a PDF; the URL in its QR code, followed on a phone, says valid.
    href = page.locator("a:has-text('公开查验页面')").get_attribute("href")
    messages = smtp_server.wait_for(2, timeout=60)
    [pdf] = [a for m in messages for a in _attachments(m, "application/pdf")]
    [url] = _pdf_qr_texts(pdf)
    assert url == live_server.url(href)
    page = teacher
    page.goto(url)
    assert "此证书真实有效" in page.inner_text(".verify-status.valid")
    assert "王**7" in page.inner_text(".verify-facts")  # the public page masks the name
    _fits(page)
    screenshots(page, "verify-valid")
    assert errors == []


@pytest.mark.browser
def test_a_coordinator_nominates_for_a_jiangsu_cohort_and_the_selection_is_emailed(
    live_server: LiveServer, smtp_server: MailSink, browser: Any, screenshots: Any
) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(
        make_session(counties, capacity=6, quotas=[2, 2, 2], mode="nomination", title="2027 彩虹行动 南通班")
    )
    create_user("chen", "coordinator", county_id=counties[0])
    create_user("zhou", "organiser")
    values = registration(counties[0], 3)

    # The Jiange coordinator nominates a teacher of her county on her phone (the county is forced to hers).
    page = browser.new_context(**PHONE, locale="zh-CN").new_page()
    _log_in(page, live_server, "chen", "/nominations")
    page.click(f"a[href='/nominations/{session_id}']")
    page.wait_for_url(f"**/nominations/{session_id}")
    # she is not on file: the search finds nobody and offers the form, filled with the name searched
    page.fill("#f-q", values["name"])
    page.click("form.nominee-search button[type=submit]")
    page.click("p.new-teacher a")
    page.wait_for_url(f"**/nominations/{session_id}/new*")
    assert page.input_value("#f-name") == values["name"]
    assert page.locator("#f-county").count() == 0
    _fill_teacher(page, values)
    screenshots(page, "coordinator-form")
    page.click("button:has-text('推荐')")
    page.wait_for_url(f"**/nominations/{session_id}?done=*")
    row = page.locator("table.data tbody tr", has_text=values["name"])
    assert COUNTIES[0][1] in row.inner_text() and "已推荐" in row.inner_text()
    assert "剑阁县：已推荐 1 / 2 人" in page.inner_text("ul.list-plain")
    _fits(page)
    # on a phone each nominee is a card: nothing scrolls sideways and the withdraw button is on screen
    wrap = page.locator(".table-wrap:has(table.nominee-table)")
    assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") <= 0
    withdraw = row.locator("button:has-text('撤回')").bounding_box()
    assert withdraw is not None and withdraw["x"] + withdraw["width"] <= page.viewport_size["width"]
    screenshots(page, "coordinator-nominated")

    # The organiser selects her on the roster; the selection email reaches her inbox.
    page = browser.new_context(**DESKTOP, locale="zh-CN").new_page()
    _log_in(page, live_server, "zhou", f"/admin/enrollment/sessions/{session_id}")
    page.check(f"input[name=ids][aria-label='{values['name']}']")
    screenshots(page, "organiser-roster")
    page.click("button[name=action][value=approve]")
    # The decision asks first (how many people), then applies.
    expect(page.locator("[data-testid=confirm-people]")).to_have_text("1")
    page.click("form.confirm-actions button[type=submit]")
    page.wait_for_load_state("load")
    expect(page.locator("table.data tbody tr", has_text=values["name"])).to_contain_text("已确认")
    screenshots(page, "organiser-selected")
    # she was told of her nomination first; then comes the selection, with her check-in code
    told, message = smtp_server.wait_for(2, timeout=60)
    assert values["email"] in told["To"] and message["To"] == values["email"]
    assert "推荐" in told["Subject"] and not _qr_texts(told)
    assert "2027 彩虹行动 南通班" in message["Subject"]
    assert len(_qr_texts(message)) == 1  # the selected teacher's check-in code comes with it

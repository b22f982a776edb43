"""A teacher registers end to end on a phone-sized Chromium against the real server."""

from __future__ import annotations

import io
from typing import Any

import PIL.Image
import pytest
import zxingcpp

from tests.enrollment.factory import fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from training import keys
from training.core.tokens import make_token
from training.enrollment.tables import Enrollment


@pytest.mark.browser
def test_a_teacher_registers_on_a_phone(live_server: Any, phone: Any, screenshots: Any) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=20))
    values = registration(counties[0], 7)
    page = phone
    page.goto(live_server.url("/sessions"))
    screenshots(page, "sessions")
    page.click(f"a[href='/sessions/{session_id}/register']")
    page.wait_for_url(f"**/sessions/{session_id}/register")
    # First a mistake: the error appears next to the field and what was typed stays.
    page.fill("#f-name", values["name"])
    page.fill("#f-id_number", values["id_number"][:-1] + ("0" if values["id_number"][-1] != "0" else "1"))
    page.click("button[type=submit]")
    page.wait_for_selector("#e-id_number")
    assert page.input_value("#f-name") == values["name"]
    screenshots(page, "errors")
    page.fill("#f-id_number", values["id_number"].lower())
    page.select_option("#f-gender", values["gender"])
    page.select_option("#f-ethnicity", values["ethnicity"])
    page.fill("#f-phone", values["phone"])
    page.fill("#f-email", values["email"])
    page.select_option("#f-county", values["county"])
    assert page.get_attribute("#f-school", "list") == f"schools-{values['county']}"
    page.fill("#f-school", values["school"])
    page.select_option("#f-subject", values["subject"])
    page.select_option("#f-grade_band", values["grade_band"])
    page.select_option("#f-title", values["title"])
    page.fill("#f-years_teaching", values["years_teaching"])
    page.check("#f-consent")
    screenshots(page, "filled")
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")
    page.wait_for_selector("img.qr")
    screenshots(page, "confirmation")
    enrollment = fetch(Enrollment.select().first())
    code = enrollment["manual_code"]
    assert page.inner_text(".manual-code") == f"{code[:4]}-{code[4:]}"
    assert "已确认" in page.inner_text(".big-status")
    src = page.get_attribute("img.qr", "src")
    png = page.request.get(live_server.url(src)).body()
    assert zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))[0].text == make_token(
        keys.current().qr_token, enrollment["id"]
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="保存图片").click()
    assert download.value.suggested_filename.endswith(".png")
    # no horizontal scrolling at phone width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_an_organiser_approves_in_bulk_and_previews_an_import(
    live_server: Any, desktop: Any, screenshots: Any, tmp_path: Any
) -> None:
    from tests.enrollment.factory import BASE_URL
    from tests.enrollment.test_import import _file_with_bad_rows
    from tests.kit.world import PASSWORD, create_user
    from training.enrollment import service

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=2, mode="approval"))
    for n in range(1, 4):
        run_sync(service.register(session_id, registration(counties[0], n), base_url=BASE_URL))
    create_user("li", "organiser")
    page = desktop
    page.goto(live_server.url("/login"))
    page.fill("#f-username", "li")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url(f"/admin/enrollment/sessions/{session_id}"))
    screenshots(page, "roster")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() == 3  # two pending, one waiting
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button[value=approve]")
    # A bulk decision asks first, saying how many people it changes.
    page.wait_for_selector("[data-testid=confirm-people]")
    assert page.inner_text("[data-testid=confirm-people]").strip() == "2"
    screenshots(page, "approve-confirm")
    page.click("form.confirm-actions button[type=submit]")
    page.wait_for_selector(".alert-ok")
    screenshots(page, "approved")
    statuses = [r["status"] for r in fetch(Enrollment.select(Enrollment.status).order_by(Enrollment.id))]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]

    path = tmp_path / "名单.xlsx"
    path.write_bytes(_file_with_bad_rows())
    page.goto(live_server.url(f"/admin/enrollment/sessions/{session_id}/import"))
    page.set_input_files("#f-file", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("table.import-errors")
    screenshots(page, "import-preview")
    assert page.locator("tr.row-error").count() == 6

"""Full-width digits and Ｘ, spaces inside a Han name, +86 and dashes in a phone: typed into the real registration
form on a phone-sized Chromium, they make the same person as the plain ASCII spelling, never a second one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.enrollment.factory import fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from training import keys
from training.enrollment.tables import Enrollment
from training.people.tables import Teacher

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _fill(page: Any, values: dict[str, str], *, id_text: str, phone_text: str, name_text: str) -> None:
    page.fill("#f-name", name_text)
    page.fill("#f-id_number", id_text)
    page.select_option("#f-gender", values["gender"])
    page.select_option("#f-ethnicity", values["ethnicity"])
    page.fill("#f-phone", phone_text)
    page.fill("#f-email", values["email"])
    page.select_option("#f-county", values["county"])
    page.fill("#f-school", values["school"])
    page.select_option("#f-subject", values["subject"])
    page.select_option("#f-grade_band", values["grade_band"])
    page.select_option("#f-title", values["title"])
    page.fill("#f-years_teaching", "１２")
    page.check("#f-consent")


@pytest.mark.browser
def test_full_width_and_spaced_inputs_register_one_person(
    live_server: Any, phone: Any, screenshots: Any
) -> None:
    counties = run_sync(make_counties())
    first = run_sync(make_session(counties, capacity=20, title="第10期暑期教师培训班"))
    second = run_sync(make_session(counties, capacity=20, title="2027 彩虹行动 南通班"))
    values = registration(counties[0], 11)
    number, mobile = values["id_number"], values["phone"]
    page = phone

    # Everything in full width (a phone IME in full-width mode), the name with a space, the phone with +86.
    page.goto(live_server.url(f"/sessions/{first}/register"))
    spelled_phone = f"＋８６ {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}".translate(FULL_WIDTH)
    _fill(page, values, id_text=number.translate(FULL_WIDTH), phone_text=spelled_phone, name_text="王　芳")
    assert page.input_value("#f-phone") == spelled_phone  # the field keeps all of it (no truncation)
    screenshots(page, "full-width-filled")
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")
    screenshots(page, "confirmed")
    assert "已确认" in page.inner_text(".big-status")
    assert "王芳" in page.content()
    (teacher,) = fetch(Teacher.select())
    assert teacher["name"] == "王芳"
    assert teacher["id_hash"] == keys.current().hash_id_card(number)
    assert teacher["phone_hash"] == keys.current().hash_phone(mobile)

    # Another session: ASCII with one full-width digit in the middle and the name spaced the other way.
    page.goto(live_server.url(f"/sessions/{second}/register"))
    mixed = number[:9] + number[9].translate(FULL_WIDTH) + number[10:]
    _fill(
        page, values, id_text=mixed, phone_text=f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", name_text="王 芳"
    )
    screenshots(page, "mixed-filled")
    page.click("button[type=submit]")
    page.wait_for_url("**/me/**")
    screenshots(page, "second-confirmed")
    assert fetch(Teacher.count()) == 1  # the same person, not a second one
    rows = fetch(Enrollment.select(Enrollment.session, Enrollment.teacher, Enrollment.teacher_name))
    assert sorted(r["session"] for r in rows) == sorted([first, second])
    assert {r["teacher"] for r in rows} == {teacher["id"]} and {r["teacher_name"] for r in rows} == {"王芳"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""Debian's chromium on a 360×740 phone: a teacher answers the demo's survey through her signed link (the
required question's error beside it, what she typed kept), and the organiser reads the results."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.kit.browser import DESKTOP, SMALL_PHONE, open_page
from tests.kit.sync import run_sync
from training import db, keys
from training.config import Settings
from training.core.links import make_link_token
from training.demo import DEMO_ACCOUNTS, load_demo

PASSWORDS = {username: password for username, password, *_ in DEMO_ACCOUNTS}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from open_page(browser, SMALL_PHONE)


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    yield from open_page(browser, DESKTOP)


async def _demo_teacher_without_answer() -> tuple[int, int]:
    """(survey id, enrollment id) of a confirmed 2019 teacher who has not answered the demo survey yet."""
    row = await db.fetch_one(
        'SELECT s."id" AS "survey", e."id" AS "enrollment" FROM "survey" s '
        'JOIN "enrollment" e ON e."session" = s."session" AND e."status" = \'confirmed\' '
        'LEFT JOIN "survey_responded" m ON m."enrollment" = e."id" WHERE m."id" IS NULL ORDER BY e."id"'
    )
    assert row is not None
    return int(row["survey"]), int(row["enrollment"])


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px phone"


@pytest.mark.browser
def test_a_teacher_answers_on_a_small_phone_and_the_organiser_reads_the_results(
    live_server: Any, settings: Settings, phone: Any, laptop: Any, screenshots: Any
) -> None:
    run_sync(load_demo(seed=2019))
    keys.configure(settings.secret_key)
    survey_id, enrollment = run_sync(_demo_teacher_without_answer())
    before = run_sync(db.fetch_one('SELECT COUNT(*) AS "n" FROM "survey_response"'))
    token = make_link_token(keys.current().teacher_link, enrollment)

    page = phone
    page.goto(live_server.url(f"/me/{token}/survey"))
    assert page.locator("#survey-form").is_visible()
    assert "满意度测评" in page.inner_text("h1")
    _no_sideways_scroll(page)
    # large touch targets: each score of the scale and the submit button
    box = page.locator(".scale label").first.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 44
    assert page.locator("#submit").bounding_box()["height"] >= 48
    screenshots(page, "survey-empty")

    # a free-text answer and a tick, but the required ratings left out
    page.locator(".survey-q textarea").fill("示范课很实用。")
    page.locator(".choices input[type=checkbox]").first.check()
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    first_required = page.locator("fieldset.survey-q.has-error").first
    assert first_required.locator(".error").inner_text() == "请回答此题。"
    assert page.locator(".survey-q textarea").input_value() == "示范课很实用。"
    assert page.locator(".choices input[type=checkbox]").first.is_checked()
    _no_sideways_scroll(page)
    screenshots(page, "survey-errors")

    for fieldset in page.locator("fieldset.survey-q").all():
        if fieldset.locator(".scale").count():
            fieldset.locator(".scale label").nth(4).click()  # 5 很满意 (a tap on the label)
        elif fieldset.locator("input[type=radio]").count():
            fieldset.locator(".choices label").nth(1).click()
    page.click("#submit")
    page.wait_for_load_state("networkidle")
    assert page.locator("#thanks").is_visible()
    screenshots(page, "survey-thanks")
    after = run_sync(db.fetch_one('SELECT COUNT(*) AS "n" FROM "survey_response"'))
    assert int(after["n"]) == int(before["n"]) + 1

    # the organiser's results: charts, the per-county table, the export link
    for device, shot in ((phone, "results-phone"), (laptop, "results-laptop")):
        device.goto(live_server.url("/login"))
        device.fill("#f-username", "organiser")
        device.fill("#f-password", PASSWORDS["organiser"])
        device.click("form[action='/login'] button[type=submit]")
        device.wait_for_load_state("networkidle")
        device.goto(live_server.url(f"/admin/surveys/{survey_id}/results"))
        assert device.locator("svg.chart").count() >= 5
        assert device.locator("#by-county tbody tr").count() >= 1
        assert device.locator("#export").is_visible()
        screenshots(device, shot)
    _no_sideways_scroll(phone)
    session_id = run_sync(db.fetch_one('SELECT "session" FROM "survey" WHERE "id" = {}', survey_id))[
        "session"
    ]
    laptop.goto(live_server.url(f"/admin/sessions/{session_id}/survey"))
    assert laptop.locator("#questions li").count() == 6
    screenshots(laptop, "build-laptop")
    phone.goto(live_server.url(f"/admin/sessions/{session_id}/survey"))
    _no_sideways_scroll(phone)
    screenshots(phone, "build-phone")

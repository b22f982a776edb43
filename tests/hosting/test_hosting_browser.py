"""In Debian's chromium against a real server: the organiser imports host schools and mentors and drafts the
pairing; the Nantong host coordinator logs in on a phone, sees its teachers (and none of Changzhou's) and scans one
of them in with the scanner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hosting import world as hw
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from tests.kit.world import PASSWORD, create_user
from training import keys
from training.checkin.tables import CheckIn
from training.core.tokens import make_token
from training.hosting.tables import Pairing


def _login(page: Any, server: LiveServer, username: str, lands_on: str) -> None:
    page.goto(server.url("/login"))
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{lands_on}")


@pytest.mark.browser
def test_organiser_imports_and_pairs_then_the_nantong_host_scans_on_a_phone(
    live_server: LiveServer, desktop_page: Any, phone_page: Any, screenshots: Any, tmp_path: Path
) -> None:
    world = run_sync(hw.make_world(teachers=3))
    create_user("org", "organiser")
    create_user("nantong", "host", host_city="南通市")

    page = desktop_page
    _login(page, live_server, "org", "/admin")
    page.goto(live_server.url("/admin/hosting"))
    upload = tmp_path / "mentors.xlsx"
    upload.write_bytes(hw.xlsx(hw.ROWS))
    page.set_input_files("#f-file", str(upload))
    page.click("#import button[type=submit]")
    page.wait_for_selector("#import-done")
    assert "南通市城中小学" in page.content()
    screenshots(page, "imported")
    page.goto(live_server.url(f"/admin/hosting/cohorts/{world.nantong.session_id}/pairings"))
    page.click("form[action$='/pairings/draft'] button[type=submit]")
    page.wait_for_selector("#draft-done")
    screenshots(page, "drafted")
    assert run_sync(Pairing.count()) == 3  # 语文/primary, 数学/primary, 数学/junior all have a mentor

    phone = phone_page
    _login(phone, live_server, "nantong", "/host")
    assert "南通班" in phone.content() and "常州班" not in phone.content()
    nav = phone.locator(".topnav a")
    assert nav.count() == 2
    screenshots(phone, "host-home")
    phone.click(f"a[href='/host/cohorts/{world.nantong.session_id}'] >> nth=0")
    phone.wait_for_selector("#teachers")
    text = phone.locator("#teachers").inner_text()
    assert "南通老师0" in text and "陈静" in text and "常州老师" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
    screenshots(phone, "host-teachers")
    phone.click("a[href='/checkin/scan']")
    phone.wait_for_selector("#scanner[data-ready='1']")
    options = phone.locator("#pick-session option").all_inner_texts()
    assert any("南通班" in o for o in options) and not any("常州班" in o for o in options)
    phone.fill("#code", make_token(keys.current().qr_token, world.nantong.enrollments[0]))
    phone.press("#code", "Enter")
    phone.wait_for_selector("#result[data-status='ok']")
    assert phone.locator("#result-name").inner_text() == "南通老师0"
    screenshots(phone, "host-scanned")
    rows = run_sync(CheckIn.select(CheckIn.enrollment, CheckIn.staff_name))
    assert [(r["enrollment"], r["staff_name"]) for r in rows] == [(world.nantong.enrollments[0], "Nantong")]

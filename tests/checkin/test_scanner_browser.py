"""The scanner page in Debian's chromium against a real server: offline scans are queued and synced once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.checkin.world import World, make_world
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync
from tests.kit.world import create_user
from training.checkin.tables import CheckIn
from training.core.actor import Actor


def _login(page: Any, server: LiveServer, username: str, target: str = "/checkin/scan") -> None:
    page.goto(server.url(f"/login?next={target}"))
    page.fill("#f-username", username)
    page.fill("#f-password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def _scan(page: Any, code: str) -> None:
    page.fill("#code", code)
    page.press("#code", "Enter")


@pytest.mark.browser
def test_two_teachers_checked_in_offline_are_synced_when_the_network_returns(
    live_server: LiveServer, phone_page: Any, screenshots: Any
) -> None:
    w: World = run_sync(make_world(confirmed=3, extra_statuses=("cancelled",)))
    create_user("wang", "staff")
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _login(page, live_server, "wang")
    page.wait_for_selector("#scanner[data-ready='1'][data-sw-ready='1']")
    assert "0 / 3" in page.locator("#count").inner_text()
    screenshots(page, "ready")

    went_offline = datetime.now(UTC)
    page.context.set_offline(True)
    first, second = w.people[0], w.people[1]
    _scan(page, first.manual_code.lower())
    page.wait_for_selector("#result.result-pending[data-status='ok']")
    assert page.locator("#result-name").inner_text() == first.name
    screenshots(page, "offline-pending")
    _scan(page, f"{second.manual_code[:4]}-{second.manual_code[4:]}")
    expect(page.locator("#result-name")).to_have_text(second.name)
    _scan(page, first.manual_code)  # the same teacher again, still offline: known locally
    page.wait_for_selector("#result[data-status='already_checked_in']")
    _scan(page, w.with_status("cancelled")[0].token)  # refused locally by the same rules as the server
    page.wait_for_selector("#result.result-bad[data-status='cancelled']")
    _scan(
        page, "TC" + "A" * 20
    )  # not on this block's list: offline, an altered code reads as the server says
    page.wait_for_selector("#result.result-bad[data-status='invalid']")
    assert "2" in page.locator("#pending").inner_text()
    assert "2 / 3" in page.locator("#count").inner_text()
    scanned_by = datetime.now(UTC)
    assert run_sync(CheckIn.count().run()) == 0  # nothing reached the server
    screenshots(page, "offline-two-pending")

    # The phone's browser reloads the page with no network: the service worker serves the page and its assets,
    # the roster and the queue come back from IndexedDB.
    page.reload()
    page.wait_for_selector("#scanner[data-ready='1']")
    assert "2" in page.locator("#pending").inner_text()
    assert "2 / 3" in page.locator("#count").inner_text()
    _scan(page, second.token)  # known locally as checked in (pending)
    page.wait_for_selector("#result[data-status='already_checked_in']")
    screenshots(page, "offline-reloaded")

    came_back = datetime.now(UTC)  # before: the page may sync before set_offline() returns
    page.context.set_offline(False)
    page.wait_for_selector("#pending.hidden", state="attached", timeout=20_000)
    expect(page.locator("#recent .state.badge.ok")).to_have_count(2, timeout=20_000)
    screenshots(page, "synced")
    rows = run_sync(CheckIn.select().order_by(CheckIn.scanned_at).run())
    assert [r["enrollment"] for r in rows] == [first.enrollment_id, second.enrollment_id]
    for row in rows:
        assert went_offline <= row["scanned_at"] <= scanned_by  # the original scan time, not the upload's
        assert row["recorded_at"] >= came_back.replace(microsecond=0)
        assert row["staff_name"] == "Wang"
    assert errors == []


@pytest.mark.browser
def test_online_scans_show_green_or_red_with_the_running_count(
    live_server: LiveServer, phone_page: Any, screenshots: Any
) -> None:
    w: World = run_sync(make_world(confirmed=2, extra_statuses=("waitlisted",)))
    create_user("li", "staff")
    page = phone_page
    _login(page, live_server, "li")
    page.wait_for_selector("#scanner[data-ready='1']")
    _scan(page, w.people[0].token)
    page.wait_for_selector("#result.result-ok[data-status='ok']")
    assert "1 / 2" in page.locator("#count").inner_text()
    assert w.people[0].county in page.locator("#result-detail").inner_text()
    screenshots(page, "ok")
    _scan(page, w.people[2].manual_code)
    page.wait_for_selector("#result.result-bad[data-status='waitlisted']")
    screenshots(page, "waitlisted")
    _scan(page, w.people[0].manual_code)
    page.wait_for_selector("#result.result-warn[data-status='already_checked_in']")
    assert "Li" in page.locator("#result-detail").inner_text()
    screenshots(page, "already")


@pytest.mark.browser
def test_the_dashboard_refreshes_itself_when_someone_checks_in(
    live_server: LiveServer, desktop_page: Any, screenshots: Any
) -> None:
    from tests.checkin.test_redeem import scan as make_scan
    from training.checkin import scans

    w: World = run_sync(make_world(confirmed=3))
    create_user("zhao", "organiser")
    page = desktop_page
    _login(page, live_server, "zhao", "/checkin/dashboard")
    expect(page.locator("#d-checked")).to_have_text("0")
    expect(page.locator("#d-missing tr")).to_have_count(3)
    assert w.people[0].phone in page.locator("#d-missing").inner_text()
    block = int(page.locator("#dashboard").get_attribute("data-block"))
    run_sync(scans.redeem(make_scan(w.people[0].token, block), Actor(None, "", "王老师", "staff")))
    expect(page.locator("#d-checked")).to_have_text("1", timeout=20_000)  # no reload: the page polls
    expect(page.locator("#d-missing tr")).to_have_count(2)
    assert w.people[0].phone not in page.locator("#d-missing").inner_text()
    href = page.locator("#d-badges-missing").get_attribute("href")
    assert set(href.split("ids=")[1].split(",")) == {str(p.enrollment_id) for p in w.people[1:]}
    screenshots(page, "dashboard")


def _tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.browser
def test_the_chosen_block_survives_an_offline_reload_and_a_tampered_code_reads_the_same_offline(
    live_server: LiveServer, phone_page: Any, screenshots: Any
) -> None:
    w: World = run_sync(make_world(confirmed=2))
    create_user("wang", "staff")
    page = phone_page
    _login(page, live_server, "wang")
    page.wait_for_selector("#scanner[data-ready='1'][data-sw-ready='1']")
    forged = _tampered(w.people[0].token)
    _scan(page, forged)  # online: the server checks the signature
    page.wait_for_selector("#result.result-bad[data-status='invalid']")
    online_text = page.locator("#result-title").inner_text()

    # choose the other block of today by hand (the page preselected the one the clock says)
    preselected = page.eval_on_selector("#pick-block", "s => s.value")
    other = str(w.blocks[1] if preselected == str(w.blocks[0]) else w.blocks[0])
    page.select_option("#pick-block", other)
    page.wait_for_function("() => document.querySelector('#roster-state').textContent.length > 0")
    page.wait_for_timeout(500)  # the roster of the chosen block is stored for offline use
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#scanner[data-ready='1']")
    assert page.eval_on_selector("#pick-block", "s => s.value") == other
    screenshots(page, "offline-reloaded-block-kept")
    _scan(page, forged)  # offline: the same verdict as online
    page.wait_for_selector("#result.result-bad[data-status='invalid']")
    assert page.locator("#result-title").inner_text() == online_text
    page.context.set_offline(False)

"""Debian's chromium on a 360×740 phone and a laptop: where each demo role lands after logging in, the form
attributes that reach the DOM, and the confirmation and undo of closing a session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.kit.browser import DESKTOP
from tests.kit.sync import run_sync
from training.demo import DEMO_ACCOUNTS, load_demo
from training.programmes.tables import TrainingSession

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PASSWORDS = {username: password for username, password, *_ in DEMO_ACCOUNTS}
# What each demo role must see first: the path and a heading or control made for its work.
LANDING = {
    "organiser": ("/admin", "h1"),
    "jiange": ("/admin/enrollment", "h1"),
    "xide": ("/admin/enrollment", "h1"),
    "scanner": ("/checkin/scan", "#scanner"),
}


@pytest.fixture
def small_phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**SMALL_PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


async def published_session_with_teachers(n: int) -> int:
    """Next year's open summer session of the demo, with `n` teachers registered from an eligible county."""
    from tests.enrollment.factory import registration
    from tests.kit.world import required_answers
    from training.enrollment import service
    from training.people.tables import County
    from training.programmes.tables import CountyQuota

    session = (
        await TrainingSession.select(TrainingSession.id)
        .where((TrainingSession.status == "published") & (TrainingSession.mode == "open"))
        .first()
    )
    quota = await CountyQuota.select(CountyQuota.county).where(CountyQuota.session == session["id"]).first()
    county = await County.select(County.code).where(County.id == quota["county"]).first()
    answers = await required_answers(session["id"])  # the demo asks required questions on this session
    for k in range(1, n + 1):
        values = registration(quota["county"], k, county["code"], email=f"close{k}@example.org") | answers
        await service.register(session["id"], values, base_url="http://127.0.0.1")
    return int(session["id"])


def log_in(page: Any, live_server: Any, typed_name: str, password: str) -> None:
    page.goto(live_server.url("/login"))
    page.fill("#f-username", typed_name)
    page.fill("#f-password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.parametrize("device", ["small_phone", "laptop"])
def test_every_demo_role_lands_on_a_page_made_for_it(
    live_server: Any, request: pytest.FixtureRequest, device: str, screenshots: Any
) -> None:
    run_sync(load_demo(seed=2019))
    page = request.getfixturevalue(device)
    for username, (path, selector) in LANDING.items():
        page.context.clear_cookies()
        # An Android keyboard capitalises the first letter: the log-in must not care.
        log_in(page, live_server, username.capitalize(), PASSWORDS[username])
        assert page.url == live_server.url(path), (username, page.url)
        assert page.locator(selector).first.is_visible()
        body = page.inner_text("body")
        assert "页面不存在" not in body and "没有权限" not in body, (username, body[:300])
        screenshots(page, f"{device}-{username}")
    # /checkin itself (a bookmark, typed by hand) leads the scanner to its page, not to a 404.
    page.goto(live_server.url("/checkin"))
    assert page.url == live_server.url("/checkin/scan")


@pytest.mark.browser
def test_form_attributes_reach_the_dom_unescaped(live_server: Any, small_phone: Any) -> None:
    page = small_phone
    page.goto(live_server.url("/login"))
    username = page.locator("#f-username")
    assert username.get_attribute("autocapitalize") == "off"
    assert username.get_attribute("spellcheck") == "false"
    assert username.get_attribute("autocomplete") == "username"
    assert "&#34;" not in page.content()
    page.goto(live_server.url("/me"))
    id_number = page.locator("#f-id_number")
    # 18 characters plus the separators people type in groups (6 8 4); the server normalises them away.
    assert id_number.get_attribute("maxlength") == "21"
    assert id_number.get_attribute("autocapitalize") == "characters"
    assert id_number.get_attribute("autocomplete") == "off"
    id_number.fill("51082319800101123X99999")  # the browser itself stops at 21
    assert len(id_number.input_value()) == 21


@pytest.mark.browser
@pytest.mark.parametrize("device", ["small_phone", "laptop"])
def test_closing_a_session_asks_first_says_how_many_and_can_be_undone(
    live_server: Any, request: pytest.FixtureRequest, device: str, screenshots: Any
) -> None:
    run_sync(load_demo(seed=2019))
    page = request.getfixturevalue(device)
    log_in(page, live_server, "organiser", PASSWORDS["organiser"])
    sid = run_sync(published_session_with_teachers(3))
    page.goto(live_server.url(f"/admin/sessions/{sid}"))
    for label in ("报名", "签到", "证书"):  # the session page leads to its roster, check-in and certificates
        assert (
            page.locator(f"nav.subnav a:text-is('{label}')").count() == 1
            or page.locator(f"nav.subnav a:has-text('{label}')").count() >= 1
        )
    page.click("button:has-text('结束培训班')")
    page.wait_for_load_state("networkidle")
    # nothing happened yet: a page says what closing does and to how many people
    assert (
        run_sync(TrainingSession.select(TrainingSession.status).where(TrainingSession.id == sid).first())[
            "status"
        ]
        == "published"
    )
    people = int(page.inner_text("[data-testid=confirm-people]"))
    assert people > 0
    assert "还没有结束" in page.inner_text("body")
    screenshots(page, f"{device}-close-confirmation")
    page.click("form.confirm-actions button[type=submit]")
    page.wait_for_url(f"**/admin/sessions/{sid}?done=closed")
    assert "培训班已结束" in page.inner_text("body") or "已结束" in page.inner_text("body")
    screenshots(page, f"{device}-closed")
    # undo: reopen
    page.click("button:has-text('重新开放培训班')")
    page.wait_for_url(f"**/admin/sessions/{sid}?done=reopened")
    assert (
        run_sync(TrainingSession.select(TrainingSession.status).where(TrainingSession.id == sid).first())[
            "status"
        ]
        == "published"
    )
    screenshots(page, f"{device}-reopened")
    # going back from the confirmation changes nothing
    page.click("button:has-text('退回草稿')")
    page.wait_for_load_state("networkidle")
    page.click("a:has-text('返回，不做任何更改')")
    page.wait_for_url(f"**/admin/sessions/{sid}")
    assert (
        run_sync(TrainingSession.select(TrainingSession.status).where(TrainingSession.id == sid).first())[
            "status"
        ]
        == "published"
    )


@pytest.mark.browser
@pytest.mark.parametrize("device", ["small_phone", "laptop"])
def test_an_organiser_manages_a_scanner_account_and_undoes_a_deactivation(
    live_server: Any, request: pytest.FixtureRequest, device: str, screenshots: Any
) -> None:
    from tests.kit.world import PASSWORD, create_user

    create_user("li", "organiser")
    page = request.getfixturevalue(device)
    log_in(page, live_server, "Li", PASSWORD)
    page.goto(live_server.url("/admin/accounts"))
    page.fill("#f-username", "Site.Wang")
    page.fill("#f-display_name", "现场 王老师")
    page.select_option("#f-role", "staff")
    page.fill("#f-password", "scanner-pass-2026")
    screenshots(page, f"{device}-accounts")
    page.click("button:has-text('创建账号')")
    page.wait_for_url("**/admin/accounts/*?done=created")
    assert "账号已创建" in page.inner_text("body")
    screenshots(page, f"{device}-account")
    page.click("button:has-text('停用账号')")
    page.wait_for_load_state("networkidle")
    assert "停用“现场 王老师”？" in page.inner_text("h1")
    screenshots(page, f"{device}-deactivate-confirmation")
    page.click("form.confirm-actions button[type=submit]")
    page.wait_for_url("**?done=deactivated")
    page.click("button:has-text('重新启用账号')")  # the undo
    page.wait_for_url("**?done=reactivated")
    page.goto(live_server.url("/admin/audit"))
    body = page.inner_text("main")
    assert "新建了工作人员账号“现场 王老师”" in body and "重新启用了工作人员账号“现场 王老师”" in body
    screenshots(page, f"{device}-audit")

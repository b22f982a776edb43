"""Accounts on the web: organisers create, reset, deactivate and assign; personal API tokens (shown once, stored
hashed, Bearer instead of cookie and CSRF, narrowed by scope); everything audited."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import TestClient

from tests.checkin.world import make_world
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import PASSWORD, create_user
from training.accounts.tables import ApiToken, StaffUser
from training.audit.tables import AuditEntry

NEW_PASSWORD = "another-long-secret-7"


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False)


def _fresh(app: Any) -> TestClient[Any]:
    return TestClient(app=app, base_url="http://testserver.local", raise_server_exceptions=False)


def _actions() -> list[str]:
    return [r["action"] for r in run_sync(AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id))]


def test_an_organiser_creates_resets_deactivates_and_reactivates_an_account(client: Any, app: Any) -> None:
    create_user("li", "organiser")
    login(client, "li")
    created = _post(
        client,
        "/admin/accounts",
        {"username": "Wang", "display_name": "现场 王老师", "role": "staff", "password": PASSWORD},
    )
    assert created.status_code == 302, created.text
    user_id = int(created.headers["location"].split("/")[3].split("?")[0])
    assert (
        run_sync(StaffUser.select(StaffUser.username).where(StaffUser.id == user_id).first())["username"]
        == "wang"
    )

    # a wrong first password stays on the form with the reason next to the field
    weak = _post(client, "/admin/accounts", {"username": "zhao", "role": "staff", "password": "short"})
    assert weak.status_code == 400 and "密码至少" in weak.text and 'value="zhao"' in weak.text

    with _fresh(app) as scanner:
        login(scanner, "wang")
        assert scanner.get("/checkin/scan").status_code == 200
        # the organiser sets a new password: the scanner's open session ends
        assert (
            _post(client, f"/admin/accounts/{user_id}/password", {"password": NEW_PASSWORD}).status_code
            == 302
        )
        assert scanner.get("/checkin/scan", follow_redirects=False).status_code in (302, 401)
        login(scanner, "wang", NEW_PASSWORD)

        # deactivating asks first, then ends the session at once
        asked = _post(client, f"/admin/accounts/{user_id}/active", {"active": "0"})
        assert asked.status_code == 200 and "停用" in asked.text
        assert run_sync(StaffUser.select(StaffUser.active).where(StaffUser.id == user_id).first())["active"]
        done = _post(client, f"/admin/accounts/{user_id}/active", {"active": "0", "confirm": "1"})
        assert done.status_code == 302
        assert scanner.get("/checkin/scan", follow_redirects=False).status_code in (302, 401)
    with _fresh(app) as again:
        refused = again.post(
            "/login",
            data={"username": "wang", "password": NEW_PASSWORD, "_csrf_token": csrf_token(again)},
            follow_redirects=False,
        )
        assert refused.status_code == 400
        assert _post(client, f"/admin/accounts/{user_id}/active", {"active": "1"}).status_code == 302
        login(again, "wang", NEW_PASSWORD)
    assert _actions() == ["create", "create", "reset_password", "deactivate", "reactivate"]
    log = client.get(
        f"/admin/audit?person={run_sync(StaffUser.select(StaffUser.id).where(StaffUser.username == 'li').first())['id']}"
    ).text
    assert "停用了工作人员账号“现场 王老师”" in log


def test_an_organiser_cannot_deactivate_themselves(client: Any) -> None:
    me = create_user("li", "organiser")
    login(client, "li")
    answer = _post(client, f"/admin/accounts/{me}/active", {"active": "0", "confirm": "1"})
    assert answer.status_code == 409
    assert run_sync(StaffUser.select(StaffUser.active).where(StaffUser.id == me).first())["active"]


def _make_token(client: Any, scopes: list[str], name: str = "nightly export") -> str:
    page = client.post(
        "/account/tokens",
        data={"name": name, "scopes": scopes, "_csrf_token": csrf_token(client)},
    )
    assert page.status_code == 200, page.text
    start = page.text.index('data-testid="token-secret">') + len('data-testid="token-secret">')
    return str(page.text[start : page.text.index("<", start)])


def test_a_token_is_shown_once_stored_hashed_and_replaces_cookie_and_csrf(client: Any, app: Any) -> None:
    create_user("li", "organiser")
    login(client, "li")
    secret = _make_token(client, ["read", "write"])
    assert secret.startswith("trn_") and len(secret) > 40
    stored = run_sync(ApiToken.select().first())
    assert secret not in str(stored) and stored["token_hash"] != secret
    assert secret not in client.get("/account/tokens").text  # never shown again
    with _fresh(app) as script:  # no cookie, no CSRF token: only the bearer header
        bearer = {"Authorization": f"Bearer {secret}"}
        listed = script.get("/api/v1/counties", headers=bearer)
        assert listed.status_code == 200, listed.text
        made = script.post(
            "/api/v1/counties",
            json={"code": "510823", "name": "剑阁县", "province": "四川省", "prefecture": "广元市"},
            headers=bearer,
        )
        assert made.status_code in (200, 201), made.text
        assert "set-cookie" not in {
            k.lower() for k in made.headers
        } or "training_session" not in made.headers.get("set-cookie", "")
        assert (
            script.get("/api/v1/counties", headers={"Authorization": "Bearer trn_forged"}).status_code == 401
        )
        assert script.get("/admin", headers=bearer, follow_redirects=False).status_code in (
            302,
            401,
        )  # pages: no
    assert "create_token" in _actions()


def test_a_token_is_narrowed_to_its_scopes_and_dies_with_revocation_or_its_holder(
    client: Any, app: Any
) -> None:
    create_user("li", "organiser")
    holder = create_user("zhou", "organiser")
    login(client, "zhou")
    read_only = _make_token(client, ["read"])
    with _fresh(app) as script:
        bearer = {"Authorization": f"Bearer {read_only}"}
        assert script.get("/api/v1/counties", headers=bearer).status_code == 200
        refused = script.post("/api/v1/counties", json={"code": "510823", "name": "剑阁县"}, headers=bearer)
        assert refused.status_code == 403 and refused.json()["error"] == "token_scope"
        token_id = run_sync(ApiToken.select(ApiToken.id).first())["id"]
        assert _post(client, f"/account/tokens/{token_id}/revoke", {}).status_code == 302
        from training.accounts import tokens

        tokens.forget()
        assert script.get("/api/v1/counties", headers=bearer).status_code == 401

        second = _make_token(client, ["read"], "another")
        assert (
            script.get("/api/v1/counties", headers={"Authorization": f"Bearer {second}"}).status_code == 200
        )
        with _fresh(app) as boss:
            login(boss, "li")
            _post(boss, f"/admin/accounts/{holder}/active", {"active": "0", "confirm": "1"})
        assert (
            script.get("/api/v1/counties", headers={"Authorization": f"Bearer {second}"}).status_code == 401
        )
    assert {"create_token", "revoke_token", "deactivate"} <= set(_actions())


def test_a_staff_tokens_role_still_applies(client: Any, app: Any) -> None:
    create_user("site", "staff")
    login(client, "site")
    secret = _make_token(client, ["read", "write", "checkin"])
    with _fresh(app) as script:
        answer = script.get("/api/v1/audit", headers={"Authorization": f"Bearer {secret}"})
        assert answer.status_code == 403 and answer.json()["error"] == "forbidden"


def test_an_assigned_scanner_sees_and_scans_only_its_sessions(client: Any, app: Any) -> None:
    world = run_sync(make_world())
    create_user("li", "organiser")
    scanner_id = create_user("site", "staff")
    login(client, "li")
    page = client.get(f"/admin/accounts/{scanner_id}").text
    assert "第9期暑期教师培训班" in page and "2019 彩虹行动 南通班" in page
    # checkin's section of the account page (accounts/sections.py) is for on-site staff only
    assert (
        'id="sessions"' in page
        and 'id="sessions"' not in client.get(f"/admin/accounts/{create_user('zhou', 'organiser')}").text
    )
    assert (
        _post(
            client, f"/admin/accounts/{scanner_id}/sessions", {"sessions": [str(world.session_id)]}
        ).status_code
        == 302
    )
    with _fresh(app) as scanner:
        login(scanner, "site")
        scan_page = scanner.get("/checkin/scan").text
        assert "第9期暑期教师培训班" in scan_page and "南通班" not in scan_page
        person = world.people[0]
        headers = {"x-csrftoken": csrf_token(scanner)}

        def redeem(block: int) -> Any:
            body = {"code": person.token, "block_id": block, "client_id": uuid.uuid4().hex}
            return scanner.post("/api/v1/checkin/redeem", json=body, headers=headers)

        assert redeem(world.blocks[0]).json()["status"] == "ok"
        other = redeem(world.other_block)
        assert other.status_code == 403 and other.json()["error"] == "not_assigned"
        assert scanner.get(f"/api/v1/checkin/blocks/{world.other_block}/roster").status_code == 403
        assert scanner.get(f"/api/v1/checkin/blocks/{world.blocks[0]}/roster").status_code == 200
    entries = run_sync(AuditEntry.select().where(AuditEntry.action == "assign"))
    assert [e["entity_id"] for e in entries] == [str(scanner_id)]

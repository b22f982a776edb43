"""The account, assignment and API-token routes × every role (cookie log-in and bearer token): who gets in, who
is refused, and nothing answers 5xx. The generic matrix reads the guards; this one states the expectations."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import create_user
from tests.security.test_authorization_matrix import allowed_roles, concrete, routes

ROLES = ("anonymous", "organiser", "coordinator", "staff")
# path → roles admitted (the same for every method of the path)
EXPECTED = {
    "/admin/accounts": ("organiser",),
    "/admin/accounts/{user_id:int}": ("organiser",),
    "/admin/accounts/{user_id:int}/password": ("organiser",),
    "/admin/accounts/{user_id:int}/active": ("organiser",),
    "/admin/accounts/{user_id:int}/sessions": ("organiser",),
    "/account/tokens": ("coordinator", "organiser", "staff"),
    "/account/tokens/{token_id:int}/revoke": ("coordinator", "organiser", "staff"),
}


def test_the_new_routes_have_the_guards_this_matrix_expects(app: Any) -> None:
    found = {path: allowed_roles(handler) for _, path, handler in routes(app) if path in EXPECTED}
    assert set(found) == set(EXPECTED)
    for path, admitted in found.items():
        assert admitted == tuple(sorted(EXPECTED[path])), path


@pytest.mark.parametrize("role", ROLES)
def test_account_and_token_routes_by_role(app: Any, client: TestClient[Any], role: str) -> None:
    county = run_sync(kit.county())
    target = create_user("matrix-target", "staff")
    if role != "anonymous":
        create_user(f"matrix-{role}", role, county if role == "coordinator" else None)
        login(client, f"matrix-{role}")
    token = csrf_token(client)
    failures = []
    for method, path, _ in routes(app):
        if path not in EXPECTED:
            continue
        url = concrete(path).replace("/1", f"/{target}", 1) if "{user_id" in path else concrete(path)
        data = {"_csrf_token": token, "active": "1", "password": "x", "name": "x", "scopes": "read"}
        response = client.request(
            method, url, data=data if method == "POST" else None, follow_redirects=False
        )
        status = response.status_code
        where = f"{method} {path} as {role}: {status}"
        if status >= 500:
            failures.append(where + " (server error)")
        elif role == "anonymous":
            if status not in (401, 302) or (
                status == 302 and "/login" not in response.headers.get("location", "")
            ):
                failures.append(where + " (anonymous let through)")
        elif role not in EXPECTED[path]:
            if status != 403:
                failures.append(where + " (expected 403)")
        elif status in (401, 403):
            failures.append(where + " (refused an admitted role)")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ("organiser", "coordinator", "staff"))
def test_a_bearer_token_opens_no_page_and_no_account_route(
    app: Any, client: TestClient[Any], role: str
) -> None:
    county = run_sync(kit.county())
    create_user(f"holder-{role}", role, county if role == "coordinator" else None)
    login(client, f"holder-{role}")
    page = client.post(
        "/account/tokens",
        data={"name": "script", "scopes": ["read", "write", "checkin"], "_csrf_token": csrf_token(client)},
    )
    start = page.text.index('data-testid="token-secret">') + len('data-testid="token-secret">')
    secret = page.text[start : page.text.index("<", start)]
    with TestClient(app=app, base_url="http://testserver.local", raise_server_exceptions=False) as script:
        bearer = {"Authorization": f"Bearer {secret}"}
        for method, path in (
            ("GET", "/admin/accounts"),
            ("POST", "/admin/accounts"),
            ("POST", "/account/tokens"),
        ):
            status = script.request(method, path, headers=bearer, follow_redirects=False).status_code
            assert status in (302, 401, 403), (method, path, status)
        audit = script.get("/api/v1/audit", headers=bearer).status_code
        assert audit == (200 if role == "organiser" else 403)

"""Staff sessions expire, end on log-out and on password change; secrets never reach the logs."""

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import PASSWORD, create_user
from training.accounts import service as accounts
from training.accounts.tables import LoginSession, StaffUser
from training.app import create_app
from training.config import Settings


def test_an_expired_session_sends_the_user_back_to_login(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    login(client, "li")
    run_sync(
        LoginSession.update({LoginSession.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True)
    )
    accounts.forget_cached_sessions()  # changed behind the service's back: as after SESSION_CACHE_SECONDS
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].startswith("/login")
    assert run_sync(LoginSession.count()) == 0


def test_an_idle_session_expires(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    login(client, "li")
    idle = datetime.now(UTC) - accounts.SESSION_IDLE_TIMEOUT - timedelta(minutes=1)
    run_sync(LoginSession.update({LoginSession.last_seen_at: idle}, force=True))
    accounts.forget_cached_sessions()
    assert client.get("/admin", follow_redirects=False).status_code == 302


def test_logout_ends_the_session_on_the_server(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    login(client, "li")
    stolen = client.cookies.get("training_session")
    client.post("/logout", data={"_csrf_token": csrf_token(client)})
    assert run_sync(LoginSession.count()) == 0
    client.cookies.set("training_session", stolen)
    assert client.get("/admin", follow_redirects=False).status_code == 302


def test_changing_the_password_ends_every_session(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    login(client, "li")
    run_sync(accounts.set_password("li", "a-new-long-password-2026"))
    assert client.get("/admin", follow_redirects=False).status_code == 302


def test_a_deactivated_account_is_logged_out_once_the_cached_session_lapses(
    client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user("li", "organiser")
    login(client, "li")
    assert client.get("/admin", follow_redirects=False).status_code == 200  # the session row is now cached
    run_sync(
        StaffUser.update({StaffUser.active: False}, force=True)
    )  # e.g. `training users` in another process
    assert client.get("/admin", follow_redirects=False).status_code == 200  # within SESSION_CACHE_SECONDS
    monkeypatch.setattr(accounts, "SESSION_CACHE_SECONDS", 0.0)
    assert client.get("/admin", follow_redirects=False).status_code == 302


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw", "password_too_short"),
        ("li-is-my-name-ok", "password_contains_username"),
        ("aaaaaaaaaaaa", "password_too_simple"),
    ],
)
def test_weak_passwords_are_refused(engine: Any, password: str, problem: str) -> None:
    from training.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        run_sync(accounts.create_user("li", password, "organiser"))
    assert error.value.fields == {"password": problem}


def test_passwords_never_reach_the_logs(client: TestClient[Any], caplog: pytest.LogCaptureFixture) -> None:
    create_user("li", "organiser")
    caplog.set_level(logging.DEBUG)
    token = csrf_token(client)
    client.post("/login", data={"username": "li", "password": "a-wrong-secret-Zq9", "_csrf_token": token})
    login(client, "li")
    logged = caplog.text
    assert "a-wrong-secret-Zq9" not in logged and PASSWORD not in logged


def test_cookies_are_secure_under_https(settings: Settings, engine: Any) -> None:
    app = create_app(replace(settings, base_url="https://training.example.org"), manage_engine=False)
    with TestClient(app=app, base_url="https://testserver.local") as https_client:
        create_user("li", "organiser")
        response = login(https_client, "li")
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age=31536000" in https_client.get("/").headers["strict-transport-security"]

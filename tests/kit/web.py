"""Driving the app as a staff member: the CSRF cookie and header, logging in through the real form."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.kit.world import PASSWORD, create_user


def csrf_token(client: TestClient[Any]) -> str:
    token = client.cookies.get("csrftoken")
    if not token:
        client.get("/login")
        token = client.cookies.get("csrftoken")
    assert token, "no CSRF cookie was set"
    return str(token)


def csrf_headers(client: TestClient[Any]) -> dict[str, str]:
    return {"x-csrftoken": csrf_token(client)}


def login(client: TestClient[Any], username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return response


def login_as(client: TestClient[Any], role: str, county_id: int | None = None) -> str:
    """Create a user with this role and log in; returns the username."""
    username = f"{role}-{len(client.cookies)}-{id(client) % 10000}"
    create_user(username, role, county_id)
    login(client, username)
    return username

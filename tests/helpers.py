"""Shared test helpers: log in through the real form, CSRF headers, staff accounts, counties."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.kit.sync import run_sync
from training.accounts import service as accounts
from training.people.tables import County

__all__ = [
    "PASSWORD",
    "create_user",
    "csrf_headers",
    "csrf_token",
    "login",
    "login_as",
    "make_county",
    "run_sync",
]

PASSWORD = "correct-horse-battery"


def csrf_token(client: TestClient[Any]) -> str:
    token = client.cookies.get("csrftoken")
    if not token:
        client.get("/login")
        token = client.cookies.get("csrftoken")
    assert token, "no CSRF cookie was set"
    return str(token)


def csrf_headers(client: TestClient[Any]) -> dict[str, str]:
    return {"x-csrftoken": csrf_token(client)}


def create_user(username: str, role: str, county_id: int | None = None, password: str = PASSWORD) -> int:
    return int(run_sync(accounts.create_user(username, password, role, username.title(), county_id)))


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


async def make_county(code: str = "510823", name: str = "剑阁县", province: str = "四川省") -> int:
    rows = await County.insert(
        County(code=code, name=name, province=province, prefecture="广元市", aided=True)
    )
    return int(rows[0]["id"])

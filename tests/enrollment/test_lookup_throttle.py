"""The self-service look-up throttle: a county office or venue Wi-Fi (one address) gets 100 genuine look-ups
through, guessing is stopped per ID number and per address, and spaces in the ID number make no new key."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import BASE_URL, id_number, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token
from training.enrollment import service


def _register(count: int) -> list[dict[str, Any]]:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=count + 10))
    teachers = [registration(counties[0], n) for n in range(1, count + 1)]

    async def register_all() -> None:
        for values in teachers:
            await service.register(session_id, values, base_url=BASE_URL)

    run_sync(register_all())
    return teachers


def _look_up(client: TestClient[Any], id_value: str, phone: str) -> int:
    response = client.post(
        "/me",
        data={"id_number": id_value, "phone": phone, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    return response.status_code


def test_one_address_gets_a_hundred_genuine_look_ups_with_some_typos(client: TestClient[Any]) -> None:
    teachers = _register(100)
    statuses = []
    for n, teacher in enumerate(teachers):
        if n % 10 == 0:  # one in ten mistypes her phone first
            assert _look_up(client, teacher["id_number"], "13700000000") == 404
        statuses.append(_look_up(client, teacher["id_number"], teacher["phone"]))
    assert statuses == [302] * 100


def test_guessing_phones_for_one_id_number_is_stopped_and_spaces_do_not_help(client: TestClient[Any]) -> None:
    [teacher] = _register(1)
    target = teacher["id_number"]
    wrong = [_look_up(client, target, f"1370000{n:04d}") for n in range(5)]
    assert wrong == [404] * 5
    spaced = " ".join([target[:6], target[6:14], target[14:]])
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in target)
    for variant in (target, spaced, full_width, target.lower() + " "):
        assert _look_up(client, variant, "13700009999") == 429, variant
    # the right phone is held back too until the window passes: this number is being guessed at
    assert _look_up(client, target, teacher["phone"]) == 429


def test_guessing_across_id_numbers_from_one_address_is_stopped(client: TestClient[Any]) -> None:
    _register(1)
    statuses = [_look_up(client, id_number("510823", n), "13700000000") for n in range(200, 240)]
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}


def test_a_teachers_own_pages_are_never_cached(client: TestClient[Any]) -> None:
    [teacher] = _register(1)
    response = client.post(
        "/me",
        data={
            "id_number": teacher["id_number"],
            "phone": teacher["phone"],
            "_csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )
    link = response.headers["location"]
    assert response.headers["cache-control"] == "no-store"
    assert client.get(link).headers["cache-control"] == "no-store"
    token = link.split("/")[2]
    assert client.get(f"/api/v1/me/{token}").headers["cache-control"] == "no-store"
    assert client.get("/sessions").headers.get("cache-control") != "no-store"  # public pages may be cached

"""Wrong-password throttling per (user, address) pair: it slows a guesser, never locks the owner out from
elsewhere, does not count successful log-ins, cannot be dodged by a forged X-Forwarded-For, and an organiser can
lift it. The live tests run `training serve --workers 2` against the test's database."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kit.live import LiveServer, start_live_server, stop_live_server
from tests.kit.world import PASSWORD, create_user
from training.accounts import service, throttle
from training.config import Settings
from training.errors import RateLimited, ValidationFailed
from training.web.context import _trusted, forwarded_client

WRONG = "not-the-password-1"


def test_the_delay_doubles_after_the_free_tries_and_is_capped() -> None:
    assert [throttle.delay_after(n) for n in range(1, 9)] == [0, 0, 0, 0, 30, 60, 120, 240]
    assert throttle.delay_after(60) == throttle.MAX_DELAY_S


def test_forwarded_for_is_believed_only_from_named_proxies() -> None:
    proxies = _trusted(("127.0.0.1/32", "10.0.0.0/8"))
    assert forwarded_client("203.0.113.5", "198.51.100.1", proxies) == "203.0.113.5"  # not a proxy: ignored
    assert forwarded_client("127.0.0.1", "1.1.1.1, 198.51.100.1", proxies) == "198.51.100.1"
    assert forwarded_client("127.0.0.1", "198.51.100.1, 10.0.0.7", proxies) == "198.51.100.1"
    assert forwarded_client("127.0.0.1", "198.51.100.1, not-an-address", proxies) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", "", proxies) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", "198.51.100.1", _trusted(())) == "127.0.0.1"


async def _log_in(username: str, password: str, address: str) -> str:
    try:
        await service.log_in(username, password, address)
    except ValidationFailed:
        return "wrong"
    except throttle.LoginDelayed:
        return "delayed"
    except RateLimited:
        return "limited"
    return "ok"


async def test_a_guesser_is_delayed_while_the_owner_logs_in_from_her_own_address(adb: Any) -> None:
    await service.create_user("li", PASSWORD, "organiser")
    results = [await _log_in("li", WRONG, "203.0.113.66") for _ in range(7)]
    assert results[:5] == ["wrong"] * 5 and results[5:] == ["delayed", "delayed"]
    assert await _log_in("li", PASSWORD, "198.51.100.9") == "ok"
    assert await _log_in("LI", PASSWORD, "203.0.113.66") == "delayed"  # the guessing pair still waits
    [block] = await throttle.blocks()
    assert (block.username, block.address_hint, block.failures) == ("li", "203.0.113.x", 5)
    assert await throttle.unblock("li") == 1
    assert await _log_in("li", PASSWORD, "203.0.113.66") == "ok"
    assert await throttle.blocks() == []


async def test_successful_log_ins_are_not_counted(adb: Any) -> None:
    await service.create_user("li", PASSWORD, "organiser")
    for _ in range(4):
        assert await _log_in("li", WRONG, "203.0.113.1") == "wrong"
    for _ in range(3):  # a right password clears the pair's count
        assert await _log_in("li", PASSWORD, "203.0.113.1") == "ok"
    for _ in range(4):
        assert await _log_in("li", WRONG, "203.0.113.1") == "wrong"


async def test_parallel_guesses_from_one_pair_cannot_slip_past_the_count(adb: Any) -> None:
    outcomes = await asyncio.gather(
        *(throttle.begin("li", "203.0.113.9", now=1_000_000.0) for _ in range(20)), return_exceptions=True
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == throttle.FREE_FAILURES
    assert all(isinstance(o, throttle.LoginDelayed) for o in outcomes if isinstance(o, BaseException))


async def test_one_address_spraying_many_names_is_limited_but_right_passwords_are_refunded(adb: Any) -> None:
    now = 2_000_000.0
    for n in range(throttle.ADDRESS_LIMIT):
        attempt = await throttle.begin(f"staff{n}", "192.0.2.1", now=now)
        if n % 2:
            await throttle.succeeded(attempt, now=now)  # an office behind one NAT: these were right
    for n in range(throttle.ADDRESS_LIMIT // 2):
        await throttle.begin(f"other{n}", "192.0.2.1", now=now)
    with pytest.raises(RateLimited):
        await throttle.begin("one-more", "192.0.2.1", now=now)


# --- two real worker processes -----------------------------------------------------------------------------------


def _attempt(base: str, username: str, password: str, forwarded_for: str | None = None) -> int:
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        page = client.get("/login")
        token = page.cookies.get("csrftoken") or ""
        response = client.post(
            "/login",
            data={"username": username, "password": password, "_csrf_token": token},
            follow_redirects=False,
        )
        return response.status_code


def _serve(settings: Settings, tmp_path: Path, **env: str) -> LiveServer:
    return start_live_server(settings, tmp_path, args=("--workers", "2"), **env)


def test_wrong_passwords_from_six_addresses_do_not_lock_the_owner_out(
    settings: Settings, engine: Any, tmp_path: Path
) -> None:
    create_user("li", "organiser")
    server = _serve(settings, tmp_path, TRAINING_TRUSTED_PROXIES="127.0.0.1")  # the test is the proxy
    try:
        attacker = [
            _attempt(server.base_url, "li", WRONG, f"203.0.113.{n}") for n in range(1, 7) for _ in range(6)
        ]
        assert attacker.count(429) == 6 and set(attacker) == {400, 429}  # each pair's 6th waits
        assert _attempt(server.base_url, "li", PASSWORD, "198.51.100.20") == 302
        assert _attempt(server.base_url, "Li", PASSWORD, "198.51.100.20") == 302  # and again: nothing counted
    finally:
        stop_live_server(server)


def test_rotating_x_forwarded_for_does_not_escape_the_throttle(
    settings: Settings, engine: Any, tmp_path: Path
) -> None:
    create_user("li", "organiser")
    server = _serve(settings, tmp_path)  # no trusted proxy: the header is the client's own words
    try:
        statuses = [_attempt(server.base_url, "li", WRONG, f"198.51.100.{n}, 10.0.0.{n}") for n in range(12)]
        assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
        # an organiser lifts it from the command line; the owner is in at once
        env = {
            **os.environ,
            "TRAINING_DATABASE_URL": settings.database_url,
            "TRAINING_SECRET_KEY": settings.secret_key,
            "TRAINING_DATA_DIR": str(settings.data_dir),
        }
        listed = subprocess.run(
            [sys.executable, "-m", "training", "logins", "blocked"], env=env, capture_output=True, text=True
        )
        assert re.search(r"^li\s+127\.0\.0\.x\s+\d+ wrong", listed.stdout, re.M), (
            listed.stdout + listed.stderr
        )
        unblocked = subprocess.run(
            [sys.executable, "-m", "training", "logins", "unblock", "li"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert unblocked.returncode == 0, unblocked.stderr
        assert _attempt(server.base_url, "li", PASSWORD, "203.0.113.250") == 302
    finally:
        stop_live_server(server)


def test_an_organiser_lifts_a_delay_from_the_page(client: Any) -> None:
    from tests.kit.sync import run_sync
    from tests.kit.web import csrf_token, login

    create_user("li", "organiser")
    create_user("boss", "organiser")
    for _ in range(5):
        run_sync(_log_in("li", WRONG, "203.0.113.66"))
    assert run_sync(_log_in("li", PASSWORD, "203.0.113.66")) == "delayed"
    login(client, "boss")
    page = client.get("/admin/login-blocks")
    assert page.status_code == 200 and "203.0.113.x" in page.text and "立即解除" in page.text
    lifted = client.post(
        "/admin/login-blocks/unblock",
        data={"username": "li", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert lifted.status_code == 302
    assert "现在可以立即登录" in client.get(lifted.headers["location"]).text
    assert run_sync(_log_in("li", PASSWORD, "203.0.113.66")) == "ok"
    from training.audit.tables import AuditEntry

    entry = run_sync(AuditEntry.select().where(AuditEntry.action == "unblock_login").first())
    assert entry["entity_id"] == "li" and entry["actor_name"]

"""A registration burst over HTTP against a real `training serve` process, hit by a fault mid-burst:
the server killed with SIGKILL (then restarted on the same database), or (PostgreSQL) every database connection
terminated. Afterwards the state must be consistent and every teacher who retries ends up registered once."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tests.enrollment.factory import COUNTIES, make_counties, make_session, registration
from tests.faults.test_database_outage import terminate_connections
from tests.kit.database import PG_ADMIN_URL
from tests.kit.live import LiveServer, start_live_server, stop_live_server
from tests.kit.sync import run_sync
from training import db
from training.config import Settings

BURST = 100
CAPACITY = 30
QUOTAS: list[int | None] = [10, 8, None]  # 18 reserved; the third county shares the 12 open seats


def payloads(county_ids: list[int]) -> list[dict[str, Any]]:
    out = []
    for n in range(BURST):
        i = n % 3
        values = registration(county_ids[i], n + 1, county_code=COUNTIES[i][0])
        values.update(county=county_ids[i], years_teaching=12, consent=True)
        out.append(values)
    return out


Answer = tuple[int, dict[str, Any]] | None  # (status, JSON body), or None when the connection broke


async def burst(
    base_url: str,
    session_id: int,
    bodies: list[dict[str, Any]],
    fault: Callable[[], Awaitable[None]],
    after: int,
) -> list[Answer]:
    """Fire every registration at once; run `fault` as soon as `after` of them have been answered."""
    answered = 0
    enough = asyncio.Event()
    url = f"/api/v1/sessions/{session_id}/registrations"
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:

        async def one(body: dict[str, Any]) -> Answer:
            nonlocal answered
            try:
                response = await http.post(url, json=body)
            except httpx.TransportError:
                return None
            answered += 1
            if answered >= after:
                enough.set()
            return response.status_code, response.json()

        async def trigger() -> None:
            await asyncio.wait_for(enough.wait(), timeout=120)
            await fault()

        *answers, _ = await asyncio.gather(*(one(b) for b in bodies), trigger())
    return answers


async def retry_all(
    base_url: str, session_id: int, bodies: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """Every teacher tries again (one after another, as people would after an error page)."""
    out = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for body in bodies:
            response = await http.post(f"/api/v1/sessions/{session_id}/registrations", json=body)
            out.append((response.status_code, response.json()))
    return out


async def consistency(session_id: int) -> dict[str, Any]:
    """Check the invariants straight from the database; returns the enrollments by id."""
    session = (
        await db.fetch('SELECT "seats_taken", "capacity" FROM "training_session" WHERE "id" = {}', session_id)
    )[0]
    enrollments = await db.fetch(
        'SELECT "id", "teacher", "county", "status", "holds_seat", "holds_quota", "waitlist_seq" '
        'FROM "enrollment" WHERE "session" = {}',
        session_id,
    )
    quotas = await db.fetch(
        'SELECT "county", "quota", "seats_taken" FROM "county_quota" WHERE "session" = {}', session_id
    )
    mails = await db.fetch(
        'SELECT "enrollment_id", "kind" FROM "outbox_message" WHERE "kind" IN ({}, {})',
        "confirmation",
        "waitlisted",
    )
    teachers = await db.fetch('SELECT count(*) AS n FROM "teacher"')

    seated = [e for e in enrollments if e["holds_seat"]]
    assert session["seats_taken"] == len(seated) <= session["capacity"], (session, len(seated))
    for quota in quotas:
        holding = [e for e in enrollments if e["holds_quota"] and e["county"] == quota["county"]]
        assert quota["seats_taken"] == len(holding), quota
        if quota["quota"] is not None:
            assert len(holding) <= quota["quota"]
    for e in enrollments:  # no half-written row: each is wholly confirmed or wholly waiting
        if e["status"] == "confirmed":
            assert e["holds_seat"] and e["waitlist_seq"] is None, e
        else:
            assert e["status"] == "waitlisted" and not e["holds_seat"] and not e["holds_quota"], e
            assert e["waitlist_seq"] == e["id"], e
    # The confirmation / waiting mail is written in the enrollment's transaction: one each, of the right kind.
    kinds = {"confirmed": "confirmation", "waitlisted": "waitlisted"}
    assert Counter((m["enrollment_id"], m["kind"]) for m in mails) == Counter(
        (e["id"], kinds[e["status"]]) for e in enrollments
    )
    # A teacher row is written in the same transaction too: none left without its enrollment.
    assert teachers[0]["n"] == len({e["teacher"] for e in enrollments})
    return {int(e["id"]): dict(e) for e in enrollments}


def setup_session() -> tuple[list[int], int]:
    counties = run_sync(make_counties())
    return counties, run_sync(make_session(counties, capacity=CAPACITY, quotas=QUOTAS))


def check_recovered(
    server: LiveServer, session_id: int, bodies: list[dict[str, Any]], answers: list[Answer]
) -> None:
    before = run_sync(consistency(session_id))
    # Every registration that was answered 2xx before the fault is there, as it was answered.
    for answer in answers:
        if answer is not None and answer[0] in (200, 201):
            row = before[answer[1]["enrollment_id"]]
            assert row["status"] == answer[1]["status"]
    # Everyone tries again: each is registered exactly once (201 if the first try was lost, else 200).
    retried = run_sync(retry_all(server.base_url, session_id, bodies))
    assert all(status in (200, 201) for status, _ in retried), [r for r in retried if r[0] not in (200, 201)]
    after = run_sync(consistency(session_id))
    assert len(after) == BURST
    assert sorted(body["enrollment_id"] for _, body in retried) == sorted(after)
    assert sum(1 for e in after.values() if e["status"] == "confirmed") == CAPACITY
    # A retry creates exactly the registrations that were not committed before, and finds the others.
    assert [status == 201 for status, _ in retried] == [
        body["enrollment_id"] not in before for _, body in retried
    ]


@pytest.mark.slow
def test_server_killed_with_sigkill_mid_burst_restarts_consistent(
    settings: Settings, engine: Any, tmp_path: Path
) -> None:
    counties, session_id = setup_session()
    bodies = payloads(counties)
    server = start_live_server(settings, tmp_path)
    try:

        async def kill() -> None:
            server.process.send_signal(signal.SIGKILL)

        answers = run_sync(burst(server.base_url, session_id, bodies, kill, after=25))
        assert server.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop_live_server(server)
    answered = [a for a in answers if a is not None]
    assert 25 <= len(answered) < BURST, "the kill must land mid-burst"
    assert all(a[0] in (200, 201) for a in answered), [a for a in answered if a[0] not in (200, 201)]

    restarted = start_live_server(settings, tmp_path)
    try:
        assert httpx.get(restarted.url("/healthz"), timeout=10).status_code == 200
        committed = len(run_sync(consistency(session_id)))
        check_recovered(restarted, session_id, bodies, answers)
        print(f"\nanswered before SIGKILL: {len(answered)} of {BURST}; committed: {committed}")
    finally:
        stop_live_server(restarted)


@pytest.mark.slow
@pytest.mark.skipif(
    not PG_ADMIN_URL, reason="PostgreSQL fault (pg_terminate_backend): runs in the PostgreSQL pass"
)
def test_database_connections_dropped_mid_burst_fail_cleanly_and_recover(
    settings: Settings, engine: Any, tmp_path: Path
) -> None:
    counties, session_id = setup_session()
    bodies = payloads(counties)
    database = urlparse(settings.database_url).path.lstrip("/")
    killed: list[int] = []

    async def drop_connections() -> None:
        killed.append(await terminate_connections(database))

    server = start_live_server(settings, tmp_path)
    try:
        answers = run_sync(burst(server.base_url, session_id, bodies, drop_connections, after=25))
        assert killed and killed[0] >= 1, "the server held no connection to kill"
        assert None not in answers, "the server answered every request (it did not crash or hang up)"
        failed = [a for a in answers if a is not None and a[0] not in (200, 201)]
        for status, body in failed:  # a clean failure: JSON 5xx with a request id, nothing else
            assert status in (500, 503), (status, body)
            assert body["error"] in ("internal_error", "unavailable"), body
            assert len(body["request_id"]) >= 8, body
        # Recovery: the pool reconnects by itself.
        deadline = time.monotonic() + 20
        while httpx.get(server.url("/healthz"), timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.2)
        check_recovered(server, session_id, bodies, answers)
        print(f"\nconnections terminated: {killed[0]}; failed requests: {len(failed)} of {BURST}")
    finally:
        stop_live_server(server)

"""The database drops every connection under a running server (as in a PostgreSQL restart): requests fail
cleanly and quickly, then the pool reconnects by itself."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlparse

import asyncpg
import httpx
import pytest

from tests.kit.database import PG_ADMIN_URL
from tests.kit.live import LiveServer
from tests.kit.sync import run_sync

pytestmark = pytest.mark.skipif(not PG_ADMIN_URL, reason="PostgreSQL fault: runs in the PostgreSQL pass")


async def terminate_connections(database: str) -> int:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        return len(rows)
    finally:
        await conn.close()


def test_the_server_recovers_after_the_database_drops_its_connections(
    live_server: LiveServer, settings: Any
) -> None:
    database = urlparse(settings.database_url).path.lstrip("/")
    with httpx.Client(base_url=live_server.base_url, timeout=5) as http:
        for _ in range(5):
            assert http.get("/healthz").status_code == 200
        killed = run_sync(terminate_connections(database))
        assert killed >= 1, "the server held no connection to kill"
        statuses = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            response = http.get("/healthz")
            statuses.append(response.status_code)
            assert response.status_code in (200, 503), (
                response.text
            )  # a clean answer, never a hang or a crash page
            if statuses[-3:] == [200, 200, 200]:
                break
            time.sleep(0.1)
        assert statuses[-3:] == [200, 200, 200], statuses
        # Pages that need the database work again too.
        assert http.get("/login").status_code == 200

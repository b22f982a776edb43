"""A connection pool for the race tests on PostgreSQL (the shared engine fixture has none, and 300 concurrent
transactions would each open a connection, past the server's max_connections); pages named `phone` and `desktop`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from training import db


@pytest.fixture
async def pooled(adb: Any) -> AsyncIterator[Any]:
    if db.is_sqlite(adb):
        yield adb
        return
    await adb.start_connection_pool(min_size=2, max_size=20)
    try:
        yield adb
    finally:
        await adb.close_connection_pool()


@pytest.fixture
def phone(phone_page: Any) -> Any:
    return phone_page


@pytest.fixture
def desktop(desktop_page: Any) -> Any:
    return desktop_page

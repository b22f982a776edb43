"""A connection pool for the race tests on PostgreSQL (the shared engine fixture has none, and 300 concurrent
transactions would each open a connection, past the server's max_connections)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
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
def own_browser() -> Iterator[Any]:
    """A Chromium of this test's own (Playwright started and stopped around the test): the shared session-wide
    browser keeps Playwright's event loop running in the main thread, which breaks the async tests that run after
    it in the same pytest process."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, _require_chromium

    _require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(own_browser: Any) -> Iterator[Any]:
    from tests.conftest import PHONE

    context = own_browser.new_context(**PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(own_browser: Any) -> Iterator[Any]:
    from tests.conftest import DESKTOP

    context = own_browser.new_context(**DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()

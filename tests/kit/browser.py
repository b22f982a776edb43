"""Debian's chromium through Playwright: one browser per test, pages sized as a phone or a desktop."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}  # the cheap phones teachers use
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: CI must install Debian's chromium (apt-get install chromium)"
            )
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def browser() -> Iterator[Any]:
    """One chromium per test: Playwright's sync API holds an event loop while it runs, which would break
    asyncio.run() and async tests that come after it if the browser lived for the whole session."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


def open_page(browser: Any, device: dict[str, Any]) -> Iterator[Any]:
    """A page in a fresh context for this device (Simplified Chinese), closed after the test."""
    context = browser.new_context(**device, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    yield from open_page(browser, PHONE)


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    yield from open_page(browser, DESKTOP)


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Any:
    """shot(page, "step-name") saves artifacts/screenshots/<test>/<nn>-<step>.png (kept as CI artefacts)."""
    folder = ARTIFACTS / "screenshots" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shot(page: Any, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot

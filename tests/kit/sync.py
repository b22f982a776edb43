"""Awaiting from synchronous test code."""

from __future__ import annotations

import asyncio
import threading
from typing import Any


def run_sync(awaitable: Any) -> Any:
    """Run a coroutine (or a Piccolo query) from synchronous test code, even where Playwright's sync API holds
    an event loop (then on a fresh thread)."""

    async def wrapper() -> Any:
        return await awaitable

    coro = wrapper()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")

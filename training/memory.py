"""Give the memory that glibc's malloc keeps after `free` back to the operating system, periodically.

Why (docs/e2e.md, "Soak"): under steady traffic the server's resident memory climbed by about 5 KB per
registration although nothing is retained: the heap's bytes in use and Python's object count stay flat, while
the *free* bytes malloc keeps inside its arenas grow. Piccolo's SQLite engine runs every query on a new thread,
glibc hands threads their own arenas (up to eight per core), and an arena only shrinks when the free space is at
the top of its heap; free chunks between live ones stay resident. `malloc_trim(0)` returns every free page of
every arena (madvise), which keeps the resident size flat at the cost of a few milliseconds now and then.

On a C library without malloc_trim (musl, macOS) this is a no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import time
from functools import cache
from typing import Any

log = logging.getLogger("training.memory")


@cache
def _malloc_trim() -> Any | None:
    try:
        function = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def available() -> bool:
    return _malloc_trim() is not None


def trim() -> bool:
    """Return free heap pages to the OS now; True if the C library could (and did) release some."""
    function = _malloc_trim()
    return bool(function(0)) if function is not None else False


async def trim_periodically(interval_s: float) -> None:
    """Background task of the web process: trim every `interval_s` seconds (0 or no glibc: return at once)."""
    if interval_s <= 0 or not available():
        return
    while True:
        await asyncio.sleep(interval_s)
        started = time.perf_counter()
        released = trim()
        log.debug("malloc_trim: released=%s in %.1f ms", released, (time.perf_counter() - started) * 1000)

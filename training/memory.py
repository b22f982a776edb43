"""Keep glibc's malloc from holding on to memory the web process has freed.

Why (docs/e2e.md, "Soak"): under steady traffic on SQLite the server's resident size climbed by about 5 KB per
registration although nothing is retained: malloc's bytes in use, Python's traced memory and its object count all
stay flat; what grows is the *free* memory malloc keeps. Piccolo's SQLite engine runs every query on a new thread
with a new connection, so the query's page cache and rows are allocated in one of up to sixteen per-thread malloc
arenas (eight per core) and freed when the connection closes. An arena gives memory back only from the top of
its heap and only above the trim threshold, and glibc raises that threshold at run time (to twice the largest
freed mmap'ed block, up to 64 MB) after the process frees a large block once. From then on each arena keeps its
high-water mark, which rises as the tables (and so each query's working set) grow.

The fix, per web process:
- `tune()` fixes the mmap and trim thresholds at glibc's defaults (128 KiB), which turns the run-time raising off:
  large blocks are mmap'ed and unmapped again, and arenas shrink when their top is free.
- `trim_periodically()` calls `malloc_trim(0)` now and then, which returns the whole free pages inside every
  arena too (what the thresholds cannot reach: free space below a live chunk), in a few milliseconds.

On a C library without these functions (musl, macOS) both are no-ops.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import time
from functools import cache
from typing import Any

log = logging.getLogger("training.memory")

# mallopt parameters (malloc.h) and glibc's default value of both thresholds
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
THRESHOLD_BYTES = 128 * 1024


@cache
def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # not glibc
        return None
    return libc


def available() -> bool:
    return _libc() is not None


def tune() -> bool:
    """Fix malloc's trim and mmap thresholds (no run-time raising); True if the C library took both."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_TRIM_THRESHOLD, THRESHOLD_BYTES)) and bool(
        libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES)
    )


def trim() -> bool:
    """Return free heap pages to the OS now; True if the C library could (and did) release some."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


def freeze_startup_objects() -> int:
    """Put every object alive after start-up (modules, the app, its routes and templates) out of the cyclic
    collector's reach; returns how many. Each full collection walked them all: 50–80 ms in which the process
    answered nobody, every few seconds under load (bench/checkin_load.py: all 50 scans in flight waited ~90 ms, which
    alone made the p99). Only for a real server process: objects frozen are never collected, and tests build
    hundreds of apps in one process."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


async def trim_periodically(interval_s: float) -> None:
    """Background task of the web process: trim every `interval_s` seconds (0 or no glibc: return at once)."""
    if interval_s <= 0 or not available():
        return
    while True:
        await asyncio.sleep(interval_s)
        started = time.perf_counter()
        released = trim()
        log.debug("malloc_trim: released=%s in %.1f ms", released, (time.perf_counter() - started) * 1000)

"""training/memory.py: freed heap memory goes back to the OS (the soak's memory growth, docs/e2e.md)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from training import memory
from training.config import load_settings

# Fragment a thread's malloc arena the way the server's short-lived query threads do (live chunks left between
# freed ones), then report the resident size before and after one trim.
FRAGMENT = """
import ctypes, threading
from training import memory

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
kept = []

def work():
    blocks = [libc.malloc(8192) for _ in range(8000)]  # 64 MB below the mmap threshold
    for b in blocks:
        ctypes.memset(b, 1, 8192)
    kept.extend(blocks[::64])
    for b in blocks:
        if b not in kept:
            libc.free(b)

def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))

t = threading.Thread(target=work); t.start(); t.join()
before = rss(); memory.trim(); after = rss()
print(before, after)
"""

# After a process frees a large mmap'ed block, glibc raises its mmap threshold (and twice that, its trim threshold)
# to that block's size; tune() fixes both. Prints 1 if a 1 MB block after a freed 4 MB one is still mmap'ed.
RAISED = """
import ctypes, sys
from training import memory

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"
    )]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "tune":
    assert memory.tune()
libc.free(libc.malloc(4 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
"""
ROOT = Path(__file__).parent.parent


def _run(script: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout


@pytest.mark.skipif(not memory.available(), reason="needs glibc's mallopt")
def test_tuned_malloc_keeps_mapping_large_blocks_after_a_larger_one_was_freed() -> None:
    assert (
        _run(RAISED, "default").strip() == "0"
    )  # glibc's run-time raising, which kept arenas from shrinking
    assert _run(RAISED, "tune").strip() == "1"


@pytest.mark.skipif(not memory.available(), reason="needs glibc's malloc_trim")
def test_a_trim_returns_the_free_pages_of_a_fragmented_thread_arena() -> None:
    out = subprocess.run(
        [sys.executable, "-c", FRAGMENT],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    before, after = (int(v) for v in out.split())
    assert before - after > 40_000, (before, after)  # KiB: most of the 64 MB freed comes back


async def test_the_trimmer_runs_at_its_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "trim", lambda: calls.append(1) or True)
    task = asyncio.create_task(memory.trim_periodically(0.01))
    await asyncio.sleep(0.1)
    task.cancel()
    assert len(calls) >= 3


async def test_an_interval_of_zero_turns_it_off() -> None:
    await asyncio.wait_for(memory.trim_periodically(0), timeout=1)


def test_the_interval_is_a_setting(tmp_path: Path) -> None:
    base = {"TRAINING_DATA_DIR": str(tmp_path)}
    assert load_settings(base).memory_trim_interval_s == 30
    assert load_settings({**base, "TRAINING_MEMORY_TRIM_INTERVAL": "0"}).memory_trim_interval_s == 0

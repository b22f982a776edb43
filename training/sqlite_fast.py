"""SQLite hot paths: one persistent connection per database file, used from one thread.

Piccolo's SQLite engine opens a new connection (and thread) per query: about 2.8 ms a write here, and under 50
concurrent scanners its tail passed a second. A scan through this writer is a SELECT and an INSERT on a warm
connection (well under a millisecond), and because every scan of the process goes through the same thread, scans
never fight each other for the file lock; writers in other processes are waited for by the busy timeout.
Used by check-in scans (training/checkin/service.py) and the per-request session lookup
(training/accounts/service.py: Piccolo's connection + thread per query cost ~2.5 ms of every request).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import piccolo.engine.sqlite  # noqa: F401  (registers the adapters and converters Piccolo's columns use)

T = TypeVar("T")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkin-sqlite")
_connections: OrderedDict[str, sqlite3.Connection] = OrderedDict()
_lock = threading.Lock()
_MAX_OPEN = 4  # tests use a fresh file each; keep a few warm, close the rest


def _connection(path: str) -> sqlite3.Connection:
    with _lock:
        conn = _connections.get(path)
        if conn is not None:
            _connections.move_to_end(path)
            return conn
        conn = sqlite3.connect(
            path,
            timeout=30.0,
            isolation_level=None,  # autocommit: each statement is its own transaction
            check_same_thread=False,
            detect_types=sqlite3.PARSE_DECLTYPES,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        _connections[path] = conn
        while len(_connections) > _MAX_OPEN:
            _, old = _connections.popitem(last=False)
            old.close()
        return conn


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL with {} placeholders: on SQLite through the persistent connection, else through Piccolo."""
    from training import db

    engine = db.current_engine()
    if db.is_sqlite(engine):
        path = str(engine.path)  # type: ignore[attr-defined]
        return await run(path, lambda conn: query(conn, sql, args))
    return await db.raw(sql, *args)


async def run(path: str, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work(connection)` on the writer thread; safe from any event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor, lambda: work(_connection(path)))


def query(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Run SQL written with Piccolo's {} placeholders."""
    return [dict(row) for row in conn.execute(sql.replace("{}", "?"), args).fetchall()]

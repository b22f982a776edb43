"""SQLite hot paths: persistent connections per database file, each used from one thread.

Piccolo's SQLite engine opens a new connection (and thread) per query: about 2.8 ms a write here, and under 50
concurrent scanners its tail passed a second. A scan through this writer is a SELECT and an INSERT on a warm
connection (well under a millisecond), and because every scan of the process goes through the same thread, scans
never fight each other for the file lock; writers in other processes are waited for by the busy timeout.
Used by check-in scans (training/checkin/scans.py) and the per-request session lookup
(training/accounts/service.py: Piccolo's connection + thread per query cost ~2.5 ms of every request).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import piccolo.engine.sqlite  # noqa: F401  (registers the adapters and converters Piccolo's columns use)

T = TypeVar("T")
_MAX_OPEN = 4  # tests use a fresh file each; keep a few warm, close the rest


class _Lane:
    """One thread with its own persistent connection per database file."""

    def __init__(self, name: str) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.connections: OrderedDict[str, sqlite3.Connection] = OrderedDict()

    def connection(self, path: str) -> sqlite3.Connection:  # only ever called on the lane's thread
        conn = self.connections.get(path)
        if conn is not None:
            self.connections.move_to_end(path)
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
        self.connections[path] = conn
        while len(self.connections) > _MAX_OPEN:
            _, old = self.connections.popitem(last=False)
            old.close()
        return conn

    async def run(self, path: str, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: work(self.connection(path)))


# Writes (scans) and reads (session look-ups) on separate threads and connections: in WAL mode a read never
# waits for a writer, so a scan waiting on another process's write lock does not hold up every request.
_writer = _Lane("sqlite-writer")
_reader = _Lane("sqlite-reader")


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Read-only raw SQL with {} placeholders: on SQLite through the persistent reader connection (outside any
    Piccolo transaction), else through Piccolo."""
    from training import db

    engine = db.current_engine()
    if db.is_sqlite(engine):
        path = str(engine.path)  # type: ignore[attr-defined]
        return await _reader.run(path, lambda conn: query(conn, sql, args))
    return await db.fetch(sql, *args)


async def run(path: str, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work(connection)` on the writer thread; safe from any event loop."""
    return await _writer.run(path, work)


def query(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Run SQL written with Piccolo's {} placeholders."""
    return [dict(row) for row in conn.execute(sql.replace("{}", "?"), args).fetchall()]

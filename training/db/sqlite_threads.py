"""SQLite outside a transaction: persistent connections on dedicated threads (an implementation detail of
`training.db`; nothing else imports this module).

Piccolo's SQLite engine opens a new connection (and thread) per query: about 2.8 ms a write here, ~2.5 ms a read,
and under 50 concurrent scanners its tail passed a second. Here a statement runs on a warm connection (well under a
millisecond). Every write of the process outside a transaction goes through the same writer thread, so those writes
never fight each other for the file lock; writers in other processes (and this process's transactions, which run
on Piccolo's connection) are waited for by the busy timeout. Reads run on a few reader threads with their own
connections: in WAL mode a read never waits for a writer, so a write waiting on another process's lock does not
hold up every request.
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
_MAX_OPEN = 4  # per thread: tests use a fresh file each; keep a few warm, close the rest
READER_THREADS = 3  # a slow report must not hold up the per-request session look-up


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path,
        timeout=30.0,
        isolation_level=None,  # autocommit: each statement is its own transaction
        check_same_thread=False,
        # The same conversions as Piccolo's connections, so a row reads the same whichever way it came.
        detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=1")
    return conn


class _Lane:
    """Threads that each keep their own persistent connection per database file."""

    def __init__(self, name: str, threads: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self.local = threading.local()

    def connection(self, path: str) -> sqlite3.Connection:  # called on a lane thread only
        connections: OrderedDict[str, sqlite3.Connection] | None = getattr(self.local, "connections", None)
        if connections is None:
            connections = self.local.connections = OrderedDict()
        conn = connections.get(path)
        if conn is not None:
            connections.move_to_end(path)
            return conn
        conn = connections[path] = _connect(path)
        while len(connections) > _MAX_OPEN:
            _, old = connections.popitem(last=False)
            old.close()
        return conn

    async def run(self, path: str, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: work(self.connection(path)))


_writer = _Lane("sqlite-writer", 1)
_readers = _Lane("sqlite-reader", READER_THREADS)


def rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Run one statement already written with `?` placeholders."""
    return [dict(row) for row in conn.execute(sql, args).fetchall()]


async def read(path: str, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return await _readers.run(path, lambda conn: rows(conn, sql, args))


async def write(path: str, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return await _writer.run(path, lambda conn: rows(conn, sql, args))


async def on_writer(path: str, work: Callable[[sqlite3.Connection], T]) -> T:
    """Several statements in one hop to the writer thread (`db.on_sqlite_writer`)."""
    return await _writer.run(path, work)

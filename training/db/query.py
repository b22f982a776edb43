"""The vocabulary for SQL that leaves Piccolo: fetch, fetch_one, execute, insert, transaction.

See the package docstring (`training.db`) for the parameter style and the row shape.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import string
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from training.db import sqlite_threads
from training.db.engine import current_engine

Row = dict[str, Any]
T = TypeVar("T")


@functools.lru_cache(maxsize=2048)
def _compiled(template: str, postgres: bool) -> str:
    """`{}` → `$1, $2, …` (PostgreSQL) or `?` (SQLite), once per statement text: parsing the template on every
    call was a visible share of a check-in's CPU (bench/checkin_load.py). `{{` and `}}` stand for literal braces."""
    parts: list[str] = []
    count = 0
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if field is not None:
            count += 1
            parts.append(f"${count}" if postgres else "?")
    return "".join(parts)


@functools.lru_cache(maxsize=2048)
def _is_read(template: str) -> bool:
    """A statement that only reads (SQLite: may run on a reader thread)."""
    return template.lstrip().lstrip("(").lstrip()[:6].upper() == "SELECT"


async def fetch(sql: str, *args: Any) -> list[Row]:
    """Every row the statement returns (a SELECT, or a write with RETURNING), as dicts keyed by column name."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return await _sqlite(engine, sql, args)
    assert isinstance(engine, PostgresEngine)
    return [dict(record) for record in await _postgres(engine, "fetch", _compiled(sql, True), args)]


async def fetch_one(sql: str, *args: Any) -> Row | None:
    """The first row the statement returns, or None when it returns none."""
    rows = await fetch(sql, *args)
    return rows[0] if rows else None


async def execute(sql: str, *args: Any) -> None:
    """Run a statement for its effect; rows it may return are dropped."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        await _sqlite(engine, sql, args)
    else:
        assert isinstance(engine, PostgresEngine)
        await _postgres(engine, "execute", _compiled(sql, True), args)


async def insert(
    table: str, values: dict[str, Any], *, on_conflict: str = "", notify: str = ""
) -> int | None:
    """INSERT one row and return its id (None if `on_conflict` skipped it); the database fills the other columns
    with their defaults. A Piccolo `Table.insert(Table(...))` cost ~0.4 ms of CPU to build (bench/enroll_rush.py),
    several times per registration. Table and column names come from code, never from input.
    notify (PostgreSQL): a NOTIFY channel to signal in the same statement, sparing a round trip."""
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join("{}" for _ in values)
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) {on_conflict} RETURNING "id"'  # noqa: S608
    if notify and not isinstance(current_engine(), SQLiteEngine):
        sql = f"WITH inserted AS ({sql}) SELECT \"id\", pg_notify('{notify}', '') FROM inserted"  # noqa: S608
    rows = await fetch(sql, *values.values())
    return int(rows[0]["id"]) if rows else None


_writer_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _writer_locks.get(loop)
    if lock is None:
        lock = _writer_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """Run the block atomically: committed when it ends, rolled back when it raises. Every statement inside it,
    through this vocabulary or through Piccolo's tables, runs on the transaction's connection. Inside another
    transaction it joins that one (no savepoint).

    SQLite: BEGIN IMMEDIATE behind an in-process asyncio lock, so this process's writers queue in Python instead
    of spinning on the file lock. PostgreSQL: a transaction on one pooled connection; row locks (`FOR UPDATE`)
    and conditional `UPDATE … RETURNING` do the claiming."""
    engine = current_engine()
    if engine.current_transaction.get() is not None:
        yield
    elif isinstance(engine, SQLiteEngine):
        async with _writer_lock():
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
    else:
        async with engine.transaction():
            yield


async def _sqlite(engine: SQLiteEngine, sql: str, args: tuple[Any, ...]) -> list[Row]:
    text = _compiled(sql, False)
    transaction = engine.current_transaction.get()
    if transaction is not None:  # Piccolo's connection (aiosqlite, rows as dicts)
        async with transaction.connection.execute(text, args) as cursor:
            return list(await cursor.fetchall())
    path = str(engine.path)
    if _is_read(sql):
        return await sqlite_threads.read(path, text, args)
    return await sqlite_threads.write(path, text, args)


async def _postgres(engine: PostgresEngine, method: str, sql: str, args: tuple[Any, ...]) -> Any:
    transaction = engine.current_transaction.get()
    if transaction is not None:
        return await getattr(transaction.connection, method)(sql, *args)
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            return await getattr(connection, method)(sql, *args)
    connection = await engine.get_new_connection()  # no pool: tests share one engine across event loops
    try:
        return await getattr(connection, method)(sql, *args)
    finally:
        await connection.close()


async def write_probe() -> None:
    """A real write that nobody reads: one counter row in the rate-limit table. It fails when the database cannot
    write (a full disk, a read-only file or server, a lock that never clears), which a SELECT would not notice."""
    async with transaction():
        await execute(
            'INSERT INTO "rate_limit_hit" ("bucket", "key", "window_start", "hits") VALUES (\'healthz\', \'probe\', 0, 1) '
            'ON CONFLICT ("bucket", "key", "window_start") DO UPDATE SET "hits" = '
            'CASE WHEN "rate_limit_hit"."hits" > 1000000 THEN 1 ELSE "rate_limit_hit"."hits" + 1 END'
        )


async def on_sqlite_writer(work: Callable[[sqlite3.Connection], T]) -> T:
    """SQLite, outside a transaction: run `work(connection)` on the writer thread's persistent connection, so a
    unit of several statements (the check-in scan's read, conditional insert and re-read) costs one hop to the
    thread. Statements inside go through `sqlite_rows`; each commits on its own, and writes of the whole process
    stay on this one thread."""
    engine = current_engine()
    if not isinstance(engine, SQLiteEngine):
        raise TypeError("on_sqlite_writer is for SQLite")
    return await sqlite_threads.on_writer(str(engine.path), work)


def sqlite_rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[Row]:
    """One statement with `{}` parameters on a connection `on_sqlite_writer` handed to its work."""
    return sqlite_threads.rows(conn, _compiled(sql, False), args)

"""Database engines and the one write path.

SQLite: WAL journal, a busy timeout, `synchronous=NORMAL`, and within one process a single writer
(an asyncio lock around IMMEDIATE transactions), so writers queue in Python instead of spinning on the file lock.
PostgreSQL: an asyncpg pool; conditional UPDATE ... RETURNING and row locks do the claiming.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import string
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from training.config import Settings
from training.files import tighten

SQLITE_BUSY_TIMEOUT_S = 30.0


class _TunedSQLiteConnection(sqlite3.Connection):
    """Piccolo opens a connection per query; this factory applies per-connection pragmas to each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous=NORMAL")
        self.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return make_sqlite_engine(path)
    return PostgresEngine(config={"dsn": settings.database_url})


def make_sqlite_engine(path: Path | str) -> SQLiteEngine:
    return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S, factory=_TunedSQLiteConnection)


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


async def start(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, SQLiteEngine):
        # WAL is a property of the file: set once, it stays.
        with sqlite3.connect(engine.path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        # Files created before the process ran with umask 077 (or copied in) become private too.
        for suffix in ("", "-wal", "-shm"):
            tighten(Path(engine.path + suffix))
    elif isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=settings.db_pool_min, max_size=settings.db_pool_max, reset=_release_connection
        )


async def _release_connection(connection: Any) -> None:
    """asyncpg's default reset runs RESET ALL, UNLISTEN, etc. on every release: a round trip per request for
    session state this app never sets (LISTEN uses its own connection). Only a transaction left open by a
    cancelled request needs undoing."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


_current: Engine | None = None


def use_engine(engine: Engine) -> None:
    """Point every table (and Piccolo's migration machinery) at this engine."""
    global _current
    from training import piccolo_conf
    from training.piccolo_app import APP_CONFIG

    _current = engine
    piccolo_conf.DB = engine
    for table in APP_CONFIG.table_classes:
        table._meta.db = engine


def current_engine() -> Engine:
    if _current is None:
        raise RuntimeError("no database engine configured; call training.db.use_engine() first")
    return _current


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
async def write_transaction() -> AsyncIterator[None]:
    """The one way to run a read-then-write use case atomically on either engine."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with _writer_lock():
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
    else:
        async with engine.transaction():
            yield


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL with {} placeholders (Piccolo's QueryString), inside the current transaction if any."""
    from piccolo.querystring import QueryString

    engine = current_engine()
    if isinstance(engine, PostgresEngine) and not any(isinstance(a, QueryString) for a in args):
        return await _raw_postgres(engine, _numbered(sql, len(args)), args)
    result = await engine.run_querystring(QueryString(sql, *args))
    return list(result or [])


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
    if notify and not is_sqlite(current_engine()):
        sql = f"WITH inserted AS ({sql}) SELECT \"id\", pg_notify('{notify}', '') FROM inserted"  # noqa: S608
    rows = await raw(sql, *values.values())
    return int(rows[0]["id"]) if rows else None


async def raw_numbered(sql: str, *args: Any) -> list[Any]:
    """PostgreSQL only: SQL already written with `$1, $2, …` placeholders (asyncpg records, not dicts)."""
    engine = current_engine()
    if not isinstance(engine, PostgresEngine):
        raise TypeError("raw_numbered is for PostgreSQL")
    return await _raw_postgres(engine, sql, args)


@functools.lru_cache(maxsize=1024)
def _numbered(template: str, count: int) -> str:
    """`{}` → `$1, $2, …` exactly as Piccolo's QueryString compiles it, once per statement text: parsing the
    template on every call was a visible share of a check-in's CPU (bench/checkin_load.py)."""
    literals = [literal for literal, *_ in string.Formatter().parse(template)]
    return "".join(text + (f"${i + 1}" if i < count else "") for i, text in enumerate(literals))


async def _raw_postgres(engine: PostgresEngine, sql: str, args: tuple[Any, ...]) -> list[Any]:
    transaction = engine.current_transaction.get()
    if transaction is not None:
        return list(await transaction.connection.fetch(sql, *args))
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            return list(await connection.fetch(sql, *args))
    connection = await engine.get_new_connection()  # no pool: tests share one engine across event loops
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def write_probe() -> None:
    """A real write through the write path that nobody reads: one counter row in the rate-limit table. It fails
    when the database cannot write (a full disk, a read-only file or server, a lock that never clears), which a
    SELECT would not notice."""
    async with write_transaction():
        await raw(
            'INSERT INTO "rate_limit_hit" ("bucket", "key", "window_start", "hits") VALUES (\'healthz\', \'probe\', 0, 1) '
            'ON CONFLICT ("bucket", "key", "window_start") DO UPDATE SET "hits" = '
            'CASE WHEN "rate_limit_hit"."hits" > 1000000 THEN 1 ELSE "rate_limit_hit"."hits" + 1 END'
        )


async def migrate(quiet: bool = False) -> None:
    """Apply every pending Piccolo migration to the current engine."""
    import contextlib
    import io

    from piccolo.apps.migrations.commands.forwards import run_forwards

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="training")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{sink.getvalue()}")

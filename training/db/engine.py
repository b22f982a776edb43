"""Engines: which database, its connections from start to stop, the tables bound to it, migrations.

SQLite: WAL journal, a busy timeout, `synchronous=NORMAL` on every connection. PostgreSQL: an asyncpg pool whose
connections are handed back without the round trip of asyncpg's default reset.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from training.config import Settings
from training.files import tighten

SQLITE_BUSY_TIMEOUT_S = 30.0
log = logging.getLogger("training.db")


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


@contextlib.asynccontextmanager
async def listen(database_url: str, channel: str, callback: Callable[[], None]) -> AsyncIterator[None]:
    """PostgreSQL: LISTEN on `channel` on a connection of its own while the block runs, calling `callback` on each
    NOTIFY (sent by other processes' commits). Best effort: a failure to listen is logged and the block runs
    anyway. SQLite has nothing to listen to."""
    if database_url.startswith("sqlite"):
        yield
        return
    import asyncpg

    connection = None
    try:
        connection = await asyncpg.connect(database_url, timeout=10)
        await connection.add_listener(channel, lambda *_: callback())
    except Exception as exc:
        log.warning("cannot LISTEN on %s (%s); polling only", channel, type(exc).__name__)
    try:
        yield
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)


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

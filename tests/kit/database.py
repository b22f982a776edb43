"""One fresh database per test, on SQLite (default) or PostgreSQL (TRAINING_TEST_DATABASE_URL).

The schema is migrated once per run into a template (a SQLite file, or a PostgreSQL template database); each test
gets a copy. Engines run without a connection pool so that the app (which Litestar's TestClient runs on another
thread and event loop) and the test itself can share one engine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg
import pytest
from litestar.testing import TestClient

from tests.kit.state import forget_process_state
from tests.kit.sync import run_sync
from tests.kit.world import forget_serials
from training import db, wiring
from training.config import Settings

TEST_SECRET = os.environ["TRAINING_SECRET_KEY"]
PG_ADMIN_URL = os.environ.get("TRAINING_TEST_DATABASE_URL", "")
ENGINE_NAME = "postgres" if PG_ADMIN_URL else "sqlite"


def pytest_report_header(config: pytest.Config) -> str:
    return f"training database engine under test: {ENGINE_NAME}"


def pg_url(database: str) -> str:
    """The URL of `database` on the PostgreSQL server under test."""
    parsed = urlparse(PG_ADMIN_URL)
    return urlunparse(parsed._replace(path=f"/{database}"))


async def pg_admin(sql: str) -> None:
    """One statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _migrate(url: str) -> None:
    settings = Settings(database_url=url, secret_key=TEST_SECRET)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    if db.is_sqlite(engine):
        await db.start(engine, settings)  # switches the file to WAL once
    await db.migrate(quiet=True)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database to copy: a file path (SQLite) or a database name (PostgreSQL)."""
    if PG_ADMIN_URL:
        name = f"training_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        run_sync(pg_admin(f'CREATE DATABASE "{name}"'))
        run_sync(_migrate(pg_url(name)))
        yield name
        run_sync(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        run_sync(_migrate(f"sqlite:///{path}"))
        yield str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    if PG_ADMIN_URL:
        name = f"training_t_{uuid.uuid4().hex[:12]}"
        run_sync(pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        yield pg_url(name)
        run_sync(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        base_url="http://testserver.local",
        run_mail_worker=False,
        smtp_port=1,  # tests that send mail start aiosmtpd and override this
        log_level="WARNING",
    )


def use_database(settings: Settings) -> Any:
    """Bind every table to the database in `settings` and start from this process's state for it (keys, the
    SMS switch, every cache keyed by rows of another database); returns the engine (no pool)."""
    engine = db.make_engine(settings)
    db.use_engine(engine)
    forget_process_state(settings)
    wiring.install()
    return engine


@pytest.fixture
def engine(settings: Settings) -> Iterator[Any]:
    """The per-test database, bound to every table; no pool (shared across event loops)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    forget_serials()
    yield use_database(settings)


@pytest.fixture
async def adb(engine: Any) -> AsyncIterator[Any]:
    """For async tests that call services directly."""
    yield engine


@pytest.fixture
def app(settings: Settings, engine: Any) -> Any:
    from training.app import create_app

    return create_app(settings, manage_engine=False)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient[Any]]:
    with TestClient(
        app=app, base_url="http://testserver.local", raise_server_exceptions=False
    ) as test_client:
        yield test_client

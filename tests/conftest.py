"""One fresh database per test, on SQLite (default) or PostgreSQL (TRAINING_TEST_DATABASE_URL).

The schema is migrated once per run into a template (a SQLite file, or a PostgreSQL template database);
each test gets a copy. Engines run without a connection pool so that the app (which Litestar's TestClient runs
on another thread and event loop) and the test itself can share one engine.
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
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar.testing import TestClient

os.environ.setdefault("TRAINING_SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ.setdefault("TRAINING_DATA_DIR", "/tmp/training-test-var")
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

from training import db, keys
from training.accounts import service as accounts_service
from training.config import Settings
from training.sms import state as sms_state

# No per-example time limit nor "too slow" health check: the machine running the suite is shared, and timing
# belongs in bench/.
hypothesis_settings.register_profile(
    "training", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example]
)
hypothesis_settings.load_profile("training")

TEST_SECRET = os.environ["TRAINING_SECRET_KEY"]
PG_ADMIN_URL = os.environ.get("TRAINING_TEST_DATABASE_URL", "")
ENGINE_NAME = "postgres" if PG_ADMIN_URL else "sqlite"


def pytest_report_header(config: pytest.Config) -> str:
    return f"training database engine under test: {ENGINE_NAME}"


def _pg_url(database: str) -> str:
    parsed = urlparse(PG_ADMIN_URL)
    return urlunparse(parsed._replace(path=f"/{database}"))


def run_in_thread(coro: Any) -> Any:
    """asyncio.run() on a fresh thread: safe even while another event loop runs on this one."""
    from tests.helpers import run_sync

    return run_sync(coro)


async def _pg_admin(sql: str) -> None:
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
        run_in_thread(_pg_admin(f'CREATE DATABASE "{name}"'))
        run_in_thread(_migrate(_pg_url(name)))
        yield name
        run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        run_in_thread(_migrate(f"sqlite:///{path}"))
        yield str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    if PG_ADMIN_URL:
        name = f"training_t_{uuid.uuid4().hex[:12]}"
        run_in_thread(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        yield _pg_url(name)
        run_in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
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


@pytest.fixture
def engine(settings: Settings) -> Iterator[Any]:
    """The per-test database, bound to every table; no pool (shared across event loops)."""
    engine = db.make_engine(settings)
    db.use_engine(engine)
    keys.configure(settings.secret_key)
    sms_state.configure(settings)  # a module-level switch: reset it from the previous test's settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    accounts_service.forget_cached_sessions()  # session rows cached by an earlier test's database
    yield engine


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


# ---------------------------------------------------------------------------------------------------------------
# Real services for end-to-end tests: an SMTP server (aiosmtpd), the app as a real server process, a real browser.

import email  # noqa: E402
import email.policy  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from email.message import EmailMessage  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailSink:
    """A real SMTP server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._cond = threading.Condition()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with sink._cond:
                    sink.messages.append(message)  # type: ignore[arg-type]
                    sink._cond.notify_all()
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        if getattr(self, "_started_once", False):
            # aiosmtpd closes a controller's event loop on stop(): a restart needs a fresh controller
            # (same handler, same port).
            from aiosmtpd.controller import Controller

            self.controller = Controller(self.controller.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self._started_once = True

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
                self._cond.wait(remaining)
            return list(self.messages)


@pytest.fixture
def smtp_server() -> Iterator[MailSink]:
    sink = MailSink()
    sink.start()
    yield sink
    try:
        sink.stop()
    except Exception:  # already stopped by a test that simulates an outage
        pass


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: MailSink) -> Settings:
    """Settings pointing at the test SMTP server."""
    from dataclasses import replace

    return replace(settings, smtp_port=smtp_server.port, smtp_host="127.0.0.1")


class LiveServer:
    def __init__(self, base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.base_url = base_url
        self.process = process
        self.log_path = log_path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_live_server(
    settings: Settings, tmp_path: Path, *, args: tuple[str, ...] = (), **env: str
) -> LiveServer:
    """`training serve` in a real process on a free loopback port, using the test's database; `args` go to
    `training serve` (e.g. ("--workers", "2"))."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    environment = {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_BASE_URL": f"http://127.0.0.1:{port}",
        "TRAINING_SMTP_HOST": settings.smtp_host,
        "TRAINING_SMTP_PORT": str(settings.smtp_port),
        "TRAINING_MAIL_WORKER": "true" if settings.run_mail_worker else "false",
        "TRAINING_LOG_LEVEL": "WARNING",
        **env,
    }
    handle = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "training",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-migrate",
            *args,
        ],
        env=environment,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return LiveServer(base_url, process, log_path)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text(errors='replace')}")


def stop_live_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def live_server(
    settings: Settings, engine: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """The real app on loopback. If the test also uses `smtp_server`, the server's mail worker sends there."""
    if "smtp_server" in request.fixturenames:
        sink: MailSink = request.getfixturevalue("smtp_server")
        from dataclasses import replace

        settings = replace(settings, smtp_port=sink.port, run_mail_worker=True)
    server = start_live_server(settings, tmp_path)
    yield server
    stop_live_server(server)


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: CI must install Debian's chromium (apt-get install chromium)"
            )
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def browser() -> Iterator[Any]:
    """One chromium per test: Playwright's sync API holds an event loop while it runs, which would break
    asyncio.run() and async tests that come after it if the browser lived for the whole session."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**DESKTOP, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Any:
    """shot(page, "step-name") saves artifacts/screenshots/<test>/<nn>-<step>.png (kept as CI artefacts)."""
    folder = ARTIFACTS / "screenshots" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shot(page: Any, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot

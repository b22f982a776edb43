"""The app as a real server process on a free loopback port, using the test's database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.kit.mail import MailSink, free_port
from training.config import Settings


class LiveServer:
    def __init__(self, base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.base_url = base_url
        self.process = process
        self.log_path = log_path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _server_environment(settings: Settings, port: int, env: dict[str, str]) -> dict[str, str]:
    return {
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


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> LiveServer:
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


def start_live_server(
    settings: Settings, tmp_path: Path, *, args: tuple[str, ...] = (), **env: str
) -> LiveServer:
    """`training serve` in a real process on a free loopback port, using the test's database; `args` go to
    `training serve` (e.g. ("--workers", "2"))."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    command = [sys.executable, "-m", "training", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--no-migrate", *args],
        env=_server_environment(settings, port, env),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return _wait_until_healthy(process, f"http://127.0.0.1:{port}", log_path)


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
        settings = replace(settings, smtp_port=sink.port, run_mail_worker=True)
    server = start_live_server(settings, tmp_path)
    yield server
    stop_live_server(server)

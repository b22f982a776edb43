"""A database that cannot write: /healthz says so, the registration form is redrawn with what was typed and says
it was not saved, and `training migrate` on a disk that fills up ends with one line and a non-zero status instead
of hanging. SQLite gets a real full disk (a small tmpfs, mounted as root; skipped where mounting is impossible);
PostgreSQL a database switched to read-only transactions."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.enrollment.factory import make_counties, make_session, registration
from tests.kit.database import ENGINE_NAME, pg_admin, use_database
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token
from training import db
from training.config import Settings


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder: Path) -> Path:
    """Write zeros until the file system refuses: what is left is not enough for a database page."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    return filler


def test_migrate_on_a_disk_that_fills_up_exits_with_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "150k") as folder:
        env = {
            **os.environ,
            "TRAINING_DATABASE_URL": f"sqlite:///{folder}/training.sqlite3",
            "TRAINING_DATA_DIR": str(tmp_path / "var"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "training", "migrate", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,  # a hang is the failure this test exists for
        )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: migration stopped: the disk is full")


def _register(client: TestClient[Any], session_id: int, values: dict[str, Any]) -> Any:
    return client.post(
        f"/sessions/{session_id}/register",
        data={**values, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def _check_cannot_write(client: TestClient[Any], session_id: int, values: dict[str, Any]) -> None:
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "error" and health.json()["database"] != "ok"
    response = _register(client, session_id, values)
    assert response.status_code == 503
    assert "没有保存成功" in response.text
    for field in ("name", "phone", "email", "school", "id_number", "county"):
        assert f'value="{values[field]}"' in response.text, field
    assert 'id="register-form"' in response.text


def _app_client(settings: Settings) -> Iterator[TestClient[Any]]:
    from training.app import create_app

    with TestClient(
        app=create_app(settings, manage_engine=False),
        base_url="http://testserver.local",
        raise_server_exceptions=False,
    ) as client:
        yield client


@pytest.mark.skipif(ENGINE_NAME != "sqlite", reason="a full disk under a SQLite file")
def test_a_full_disk_is_reported_and_the_form_keeps_what_was_typed(
    settings: Settings, template_database: str, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "disk", "3m") as folder:
        path = folder / "training.sqlite3"
        shutil.copyfile(template_database, path)
        local = replace(settings, database_url=f"sqlite:///{path}")
        engine = use_database(local)
        run_sync(db.start(engine, local))
        counties = run_sync(make_counties())
        session_id = run_sync(make_session(counties))
        values = registration(counties[0])
        for client in _app_client(local):
            assert client.get("/healthz").status_code == 200
            csrf_token(client)
            filler = fill(folder)
            _check_cannot_write(client, session_id, values)
            filler.unlink()  # space again: the same form goes through
            assert client.get("/healthz").status_code == 200
            assert _register(client, session_id, values).status_code == 302


@pytest.mark.skipif(ENGINE_NAME != "postgres", reason="PostgreSQL's read-only transactions")
def test_a_read_only_database_is_reported_and_the_form_keeps_what_was_typed(
    settings: Settings, engine: Any, database_url: str
) -> None:
    name = database_url.rsplit("/", 1)[-1]
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    values = registration(counties[0])
    for client in _app_client(settings):
        csrf_token(client)
        run_sync(pg_admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        try:
            _check_cannot_write(client, session_id, values)
        finally:
            run_sync(pg_admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
        assert client.get("/healthz").status_code == 200
        assert _register(client, session_id, values).status_code == 302

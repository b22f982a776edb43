"""The `training` command answers a user's mistake with one sentence and a non-zero exit, never a traceback; the
demo merges into a database that has counties, refuses one with data of its own, and sets the teacher count."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.database import PG_ADMIN_URL, pg_admin, pg_url
from tests.kit.sync import run_sync
from training.config import Settings


def training(settings: Settings, *argv: str, stdin: str | None = None, database_url: str = "") -> Any:
    """`training ARGV` in its own process, as a shell runs it (no terminal on standard input)."""
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": database_url or settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    env.pop("TRAINING_NEW_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "training", *argv],
        input=stdin or "",
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.data_dir.parent,
        timeout=120,
    )


def assert_one_sentence(result: Any, *words: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return str(lines[0])


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database without any table (never migrated)."""
    if PG_ADMIN_URL:
        name = f"training_empty_{uuid.uuid4().hex[:10]}"
        run_sync(pg_admin(f'CREATE DATABASE "{name}"'))
        yield pg_url(name)
        run_sync(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        yield f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"


def test_users_list_before_migrate_says_to_migrate(settings: Settings, empty_database: str) -> None:
    result = training(settings, "users", "list", database_url=empty_database)
    assert_one_sentence(result, "training migrate")


def test_counties_import_of_a_missing_file_names_the_file(settings: Settings, engine: Any) -> None:
    result = training(settings, "counties", "import", "no-such-counties.csv")
    assert_one_sentence(result, "no-such-counties.csv", "no file")


def test_enrollment_import_and_badges_for_an_unknown_session(settings: Settings, engine: Any) -> None:
    listing = settings.data_dir / "list.csv"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text("姓名,身份证号\n", encoding="utf-8")
    for argv in (
        ("enrollment", "import", "--session", "999", str(listing)),
        ("badges", "--session", "999"),
        ("certificates", "issue", "--session", "999", "--quiet"),
    ):
        assert_one_sentence(training(settings, *argv), "no session 999", "/admin/sessions/")


def test_users_create_without_a_terminal_says_how_to_give_the_password(
    settings: Settings, engine: Any
) -> None:
    result = training(settings, "users", "create", "wang", "--role", "staff")
    assert_one_sentence(result, "--password-stdin")


def test_errors_are_sentences_not_codes(settings: Settings, engine: Any) -> None:
    result = training(
        settings, "users", "create", "wang", "--role", "staff", "--password-stdin", stdin="short\n"
    )
    line = assert_one_sentence(result, "at least 10 characters")
    assert "password_too_short" not in line
    unknown = training(settings, "users", "create", "li", "--role", "coordinator", "--county", "510823")
    assert_one_sentence(unknown, "no county with division code 510823")
    revoke = training(settings, "certificates", "revoke", "NO-SUCH-SERIAL", "--reason", "typo")
    assert_one_sentence(revoke, "no certificate")


def test_demo_merges_counties_sets_the_teacher_count_and_refuses_foreign_data(
    settings: Settings, engine: Any
) -> None:
    counties = settings.data_dir / "counties.csv"
    counties.parent.mkdir(parents=True, exist_ok=True)
    counties.write_text("code,name\n510823,剑阁县\n", encoding="utf-8")
    assert training(settings, "counties", "import", str(counties)).returncode == 0

    loaded = training(settings, "demo", "--teachers", "60")
    assert loaded.returncode == 0, loaded.stderr
    assert "reused 1 counties" in loaded.stdout
    assert re.search(r"^  teachers +60$", loaded.stdout, re.M), loaded.stdout
    assert re.search(r"^  counties +10$", loaded.stdout, re.M), loaded.stdout
    assert "running today" in loaded.stdout
    again = training(settings, "demo")
    assert again.returncode == 0 and "already present" in again.stdout

    badges = training(settings, "badges", "--session", "1")
    assert badges.returncode == 0, badges.stderr
    assert (settings.data_dir / "badges" / "session-1-badges.pdf").stat().st_size > 1000


def test_demo_refuses_a_database_with_its_own_programmes(settings: Settings, engine: Any) -> None:
    from tests.kit.sync import run_sync
    from training.programmes.tables import Programme

    run_sync(Programme.insert(Programme(slug="county-own", name="本县培训", kind="other")))
    result = training(settings, "demo")
    assert_one_sentence(result, "fresh database")

import subprocess
import sys
from pathlib import Path

import pytest

from training.config import ConfigError, load_settings


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"TRAINING_DATA_DIR": str(tmp_path), **values}


def test_defaults_use_a_sqlite_file_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path))
    assert settings.is_sqlite
    assert settings.sqlite_path == tmp_path / "training.sqlite3"
    assert settings.environment == "development"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(env(tmp_path)).secret_key
    second = load_settings(env(tmp_path)).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env(tmp_path, TRAINING_ENV="production"))
    assert str(error.value).startswith("TRAINING_SECRET_KEY:")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRAINING_DATABASE_URL", "mysql://localhost/x"),
        ("TRAINING_SMTP_PORT", "not-a-port"),
        ("TRAINING_SMTP_PORT", "70000"),
        ("TRAINING_SMTP_SECURITY", "ssl3"),
        ("TRAINING_BASE_URL", "ftp://example.org"),
        ("TRAINING_ENV", "staging"),
        ("TRAINING_MAIL_WORKER", "maybe"),
        ("TRAINING_SECRET_KEY", "short"),
        ("TRAINING_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_gives_one_line_naming_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env(tmp_path, **{name: value}))
    message = str(error.value)
    assert message.startswith(f"{name}:")
    assert "\n" not in message


def test_cli_prints_the_config_error_and_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "training", "migrate"],
        env={"TRAINING_DATA_DIR": str(tmp_path), "TRAINING_SMTP_PORT": "abc", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "configuration error: TRAINING_SMTP_PORT: expected a whole number, got 'abc'"
    )


def test_postgres_url_selects_postgres(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path, TRAINING_DATABASE_URL="postgresql://u@127.0.0.1:5432/training"))
    assert not settings.is_sqlite


@pytest.mark.parametrize("content", ["", "\n", "short-key", " " * 40])
def test_an_empty_or_short_key_file_refuses_to_start(tmp_path: Path, content: str) -> None:
    (tmp_path / "secret_key").write_text(content)
    with pytest.raises(ConfigError) as error:
        load_settings(env(tmp_path))
    message = str(error.value)
    assert message.startswith("TRAINING_SECRET_KEY:") and "at least 32" in message and "\n" not in message


def test_a_blank_secret_key_variable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env(tmp_path, TRAINING_SECRET_KEY=" " * 40))
    assert str(error.value).startswith("TRAINING_SECRET_KEY:")


def test_a_generated_key_file_is_private_and_written_whole(tmp_path: Path) -> None:
    load_settings(env(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key_file.read_text()) >= 32
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind


def test_a_key_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 40)
    key_file.chmod(0o644)
    assert load_settings(env(tmp_path)).secret_key == "k" * 40
    assert key_file.stat().st_mode & 0o777 == 0o600


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "training", *args],
        env={"TRAINING_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_refuses_an_empty_key_file_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_bytes(b"")  # what a first start on a full disk used to leave
    result = _cli(tmp_path, "migrate")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("configuration error: TRAINING_SECRET_KEY: the key file")
    assert not (tmp_path / "data" / "training.sqlite3").exists()


def test_a_first_start_makes_the_data_directory_and_database_files_private(tmp_path: Path) -> None:
    result = _cli(tmp_path, "migrate", "--quiet")
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert data.stat().st_mode & 0o777 == 0o700
    files = [p for p in data.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"secret_key", "training.sqlite3"}
    assert {p.name: p.stat().st_mode & 0o777 for p in files} == {p.name: 0o600 for p in files}


def test_an_existing_world_readable_database_is_made_private_at_start(tmp_path: Path) -> None:
    assert _cli(tmp_path, "migrate", "--quiet").returncode == 0
    data = tmp_path / "data"
    data.chmod(0o755)
    (data / "training.sqlite3").chmod(0o644)
    assert _cli(tmp_path, "migrate", "--quiet").returncode == 0
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "training.sqlite3").stat().st_mode & 0o777 == 0o600

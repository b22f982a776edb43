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
    import subprocess
    import sys

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

"""Settings read from the environment once, validated at start with one clear line per problem."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "test")
SMTP_SECURITY = ("none", "starttls", "tls")
LANGUAGES = ("zh_Hans", "en")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = ""
    data_dir: Path = field(default_factory=lambda: Path("var"))
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    default_language: str = "zh_Hans"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"
    smtp_timeout: float = 10.0
    mail_sender: str = "培训项目组 <training@example.org>"
    run_mail_worker: bool = True
    db_pool_min: int = 1
    db_pool_max: int = 10
    log_level: str = "INFO"
    organisation_name: str = "民进四川省委 教育帮扶"
    memory_trim_interval_s: int = 30  # training/memory.py; 0 turns it off

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def sqlite_path(self) -> Path:
        # sqlite:///relative/file or sqlite:////absolute/file
        return Path(self.database_url.removeprefix("sqlite:///"))


def _int(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be between {low} and {high}, got {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def _choice(env: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    raw = env.get("TRAINING_DATABASE_URL") or f"sqlite:///{data_dir / 'training.sqlite3'}"
    parsed = urlparse(raw)
    if parsed.scheme == "sqlite":
        if not parsed.path or parsed.path == "/":
            raise ConfigError(
                "TRAINING_DATABASE_URL: a sqlite URL needs a file path, e.g. sqlite:///var/training.sqlite3"
            )
        return raw
    if parsed.scheme in ("postgresql", "postgres"):
        if not parsed.hostname and not parsed.path.strip("/"):
            raise ConfigError("TRAINING_DATABASE_URL: a postgresql URL needs a host and a database name")
        return raw
    raise ConfigError(
        f"TRAINING_DATABASE_URL: unsupported scheme {parsed.scheme!r}; use sqlite:///path or postgresql://host/db"
    )


def _secret_key(env: dict[str, str], environment: str, data_dir: Path) -> str:
    key = env.get("TRAINING_SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ConfigError("TRAINING_SECRET_KEY: must be at least 32 characters long")
        return key
    if environment == "production":
        raise ConfigError(
            "TRAINING_SECRET_KEY: required in production (set a random string of 32+ characters)"
        )
    # Development convenience: generate once and keep it beside the database so tokens survive restarts.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read every TRAINING_* variable; raise ConfigError naming the first bad one."""
    env = dict(os.environ if env is None else env)
    environment = _choice(env, "TRAINING_ENV", "development", ENVIRONMENTS)
    data_dir = Path(env.get("TRAINING_DATA_DIR") or "var")
    base_url = env.get("TRAINING_BASE_URL") or "http://127.0.0.1:8000"
    parsed_base = urlparse(base_url)
    if parsed_base.scheme not in ("http", "https") or not parsed_base.netloc:
        raise ConfigError(f"TRAINING_BASE_URL: expected http(s)://host[:port], got {base_url!r}")
    pool_min = _int(env, "TRAINING_DB_POOL_MIN", 1, 1, 100)
    pool_max = _int(env, "TRAINING_DB_POOL_MAX", 10, 1, 200)
    if pool_max < pool_min:
        raise ConfigError("TRAINING_DB_POOL_MAX: must not be smaller than TRAINING_DB_POOL_MIN")
    log_level = (env.get("TRAINING_LOG_LEVEL") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"TRAINING_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    return Settings(
        environment=environment,
        database_url=_database_url(env, data_dir),
        data_dir=data_dir,
        secret_key=_secret_key(env, environment, data_dir),
        base_url=base_url.rstrip("/"),
        default_language=_choice(env, "TRAINING_LANGUAGE", "zh_Hans", LANGUAGES),
        smtp_host=env.get("TRAINING_SMTP_HOST") or "127.0.0.1",
        smtp_port=_int(env, "TRAINING_SMTP_PORT", 1025, 1, 65535),
        smtp_user=env.get("TRAINING_SMTP_USER", ""),
        smtp_password=env.get("TRAINING_SMTP_PASSWORD", ""),
        smtp_security=_choice(env, "TRAINING_SMTP_SECURITY", "none", SMTP_SECURITY),
        smtp_timeout=float(_int(env, "TRAINING_SMTP_TIMEOUT", 10, 1, 300)),
        mail_sender=env.get("TRAINING_MAIL_SENDER") or "培训项目组 <training@example.org>",
        run_mail_worker=_bool(env, "TRAINING_MAIL_WORKER", True),
        db_pool_min=pool_min,
        db_pool_max=pool_max,
        log_level=log_level,
        organisation_name=env.get("TRAINING_ORGANISATION") or "民进四川省委 教育帮扶",
        memory_trim_interval_s=_int(env, "TRAINING_MEMORY_TRIM_INTERVAL", 30, 0, 3600),
    )

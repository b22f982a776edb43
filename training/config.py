"""Settings read from the environment once, validated at start with one clear line per problem."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from training.files import create_private, tighten

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "test")
SMTP_SECURITY = ("none", "starttls", "tls")
LANGUAGES = ("zh_Hans", "en")
SMS_PROVIDERS = ("none", "aliyun", "tencent")


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
    # Proxies whose X-Forwarded-For is believed (addresses or networks); empty: the header is ignored.
    trusted_proxies: tuple[str, ...] = ()
    checkin_late_upload_hours: int = 48  # offline scans older than this are refused (checkin/status.py)
    # SMS (training/sms/): which provider, its credentials and the approved sign name and templates
    sms_provider: str = "none"
    sms_access_key_id: str = ""  # Alibaba Cloud AccessKey ID / Tencent Cloud SecretId
    sms_access_key_secret: str = ""  # Alibaba Cloud AccessKey secret / Tencent Cloud SecretKey
    sms_sign_name: str = ""  # the approved signature, e.g. 培训项目组 (shown as 【培训项目组】)
    sms_templates: dict[str, str] = field(default_factory=dict)  # message kind (or "default") -> template id
    sms_template_param: str = "content"  # Alibaba Cloud: the template's variable name, ${content}
    sms_app_id: str = ""  # Tencent Cloud SmsSdkAppId
    sms_region: str = ""  # Tencent Cloud region (ap-guangzhou); Alibaba Cloud RegionId (cn-hangzhou)
    sms_endpoint: str = ""  # override of the provider's URL (a regional endpoint, or a loopback test server)
    sms_timeout: float = 10.0
    # 学时 ledger column layout (JSON, training/ledger/columns.py); "" = {data_dir}/ledger_columns.json if present
    ledger_columns: str = ""

    @property
    def ledger_columns_path(self) -> Path:
        return Path(self.ledger_columns) if self.ledger_columns else self.data_dir / "ledger_columns.json"

    @property
    def sms_enabled(self) -> bool:
        return self.sms_provider != "none"

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


SECRET_MIN_LENGTH = 32


def _secret_key(env: dict[str, str], environment: str, data_dir: Path) -> str:
    key = env.get("TRAINING_SECRET_KEY", "")
    if key:
        if len(key.strip()) < SECRET_MIN_LENGTH:
            raise ConfigError(f"TRAINING_SECRET_KEY: must be at least {SECRET_MIN_LENGTH} characters long")
        return key
    if environment == "production":
        raise ConfigError(
            "TRAINING_SECRET_KEY: required in production (set a random string of 32+ characters)"
        )
    # Development convenience: generate once and keep it beside the database so tokens survive restarts.
    # Whatever its source, a key shorter than required never starts the service (an empty file left by a full
    # disk would otherwise sign every link with a key anyone knows).
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        try:
            create_private(key_file, secrets.token_urlsafe(48).encode())
        except OSError as exc:
            raise ConfigError(
                f"TRAINING_SECRET_KEY: cannot create the key file {key_file}: {exc.strerror or exc}"
            ) from None
    return _read_key_file(key_file)


def _read_key_file(key_file: Path) -> str:
    try:
        key = key_file.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"TRAINING_SECRET_KEY: cannot read the key file {key_file}: {exc}") from None
    if len(key) < SECRET_MIN_LENGTH:
        raise ConfigError(
            f"TRAINING_SECRET_KEY: the key file {key_file} holds {len(key)} characters, at least "
            f"{SECRET_MIN_LENGTH} are required (remove the file to generate a new key, or set the variable)"
        )
    tighten(key_file)
    return key


def _sms_templates(env: dict[str, str]) -> dict[str, str]:
    """`default=SMS_123,code=SMS_456` → {"default": "SMS_123", "code": "SMS_456"}."""
    raw = env.get("TRAINING_SMS_TEMPLATES", "").strip()
    templates: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kind, sep, template = (text.strip() for text in item.partition("="))
        if not sep or not kind or not template:
            raise ConfigError(
                f"TRAINING_SMS_TEMPLATES: expected kind=template_id[,kind=template_id], got {item!r}"
            )
        templates[kind] = template
    return templates


def _sms_settings(env: dict[str, str]) -> dict[str, object]:
    """The SMS settings, checked for the chosen provider: a missing credential stops start-up, not the first
    message hours later."""
    provider = _choice(env, "TRAINING_SMS_PROVIDER", "none", SMS_PROVIDERS)
    values: dict[str, object] = {
        "sms_provider": provider,
        "sms_access_key_id": env.get("TRAINING_SMS_ACCESS_KEY_ID", "").strip(),
        "sms_access_key_secret": env.get("TRAINING_SMS_ACCESS_KEY_SECRET", "").strip(),
        "sms_sign_name": env.get("TRAINING_SMS_SIGN_NAME", "").strip(),
        "sms_templates": _sms_templates(env),
        "sms_template_param": env.get("TRAINING_SMS_TEMPLATE_PARAM", "").strip() or "content",
        "sms_app_id": env.get("TRAINING_SMS_APP_ID", "").strip(),
        "sms_region": env.get("TRAINING_SMS_REGION", "").strip(),
        "sms_endpoint": env.get("TRAINING_SMS_ENDPOINT", "").strip().rstrip("/"),
        "sms_timeout": float(_int(env, "TRAINING_SMS_TIMEOUT", 10, 1, 120)),
    }
    if provider == "none":
        return values
    names = {"aliyun": "Alibaba Cloud AccessKey", "tencent": "Tencent Cloud SecretId/SecretKey"}
    for variable, key in (
        ("TRAINING_SMS_ACCESS_KEY_ID", "sms_access_key_id"),
        ("TRAINING_SMS_ACCESS_KEY_SECRET", "sms_access_key_secret"),
    ):
        if not values[key]:
            raise ConfigError(
                f"{variable}: required with TRAINING_SMS_PROVIDER={provider} ({names[provider]})"
            )
    if not values["sms_sign_name"]:
        raise ConfigError(f"TRAINING_SMS_SIGN_NAME: required with TRAINING_SMS_PROVIDER={provider}")
    templates = values["sms_templates"]
    assert isinstance(templates, dict)
    if "default" not in templates:
        raise ConfigError(
            f"TRAINING_SMS_TEMPLATES: a default template is required with TRAINING_SMS_PROVIDER={provider} "
            "(e.g. default=SMS_123456789)"
        )
    if provider == "tencent":
        if not re.fullmatch(r"\d{6,12}", str(values["sms_app_id"])):
            raise ConfigError("TRAINING_SMS_APP_ID: the Tencent Cloud SmsSdkAppId (digits, e.g. 1400006666)")
        bad = [t for t in templates.values() if not t.isdigit()]
        if bad:
            raise ConfigError(
                f"TRAINING_SMS_TEMPLATES: Tencent Cloud template ids are digits, got {bad[0]!r}"
            )
    endpoint = str(values["sms_endpoint"])
    if endpoint:
        parsed = urlparse(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"TRAINING_SMS_ENDPOINT: expected http(s)://host[:port], got {endpoint!r}")
    return values


def _networks(env: dict[str, str], name: str) -> tuple[str, ...]:
    import ipaddress

    result = []
    for item in (env.get(name) or "").replace(" ", ",").split(","):
        if not item:
            continue
        try:
            result.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                f"{name}: expected IP addresses or networks (10.0.0.2, 10.0.0.0/24), got {item!r}"
            ) from None
    return tuple(result)


def _ledger_columns(env: dict[str, str]) -> str:
    """A named layout file must exist and be valid now, not at the first download."""
    from training.ledger.columns import LayoutError, load

    raw = env.get("TRAINING_LEDGER_COLUMNS", "").strip()
    if raw:
        if not Path(raw).is_file():
            raise ConfigError(f"TRAINING_LEDGER_COLUMNS: no such file {raw!r}")
        try:
            load(Path(raw))
        except LayoutError as exc:
            raise ConfigError(f"TRAINING_LEDGER_COLUMNS: {exc}") from None
    return raw


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
        trusted_proxies=_networks(env, "TRAINING_TRUSTED_PROXIES"),
        ledger_columns=_ledger_columns(env),
        **_sms_settings(env),  # type: ignore[arg-type]
        checkin_late_upload_hours=_int(env, "TRAINING_CHECKIN_LATE_UPLOAD_HOURS", 48, 1, 336),
    )

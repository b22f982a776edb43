"""Whether SMS can be sent in this process (a provider is configured), set once at start like the keys."""

from __future__ import annotations

from training.config import Settings

_enabled = False
_sign_name = ""
_base_url = "http://127.0.0.1:8000"


def configure(settings: Settings) -> None:
    global _enabled, _sign_name, _base_url
    _enabled = settings.sms_enabled
    _sign_name = settings.sms_sign_name
    _base_url = settings.base_url


def enabled() -> bool:
    return _enabled


def sign_name() -> str:
    return _sign_name


def base_url() -> str:
    """TRAINING_BASE_URL, for links in messages queued where no request is at hand (a revocation from the CLI)."""
    return _base_url

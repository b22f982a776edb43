"""Whether SMS can be sent in this process (a provider is configured), set once at start like the keys."""

from __future__ import annotations

from training.config import Settings

_enabled = False
_sign_name = ""


def configure(settings: Settings) -> None:
    global _enabled, _sign_name
    _enabled = settings.sms_enabled
    _sign_name = settings.sms_sign_name


def enabled() -> bool:
    return _enabled


def sign_name() -> str:
    return _sign_name

"""What every SMS provider client offers the worker, how failures are classified, and the choice by configuration.

A client sends one message per call (`send`), over an HTTP connection it keeps for a batch. It answers with the
provider's message id or raises `SmsFailure`, which says whether trying again can help. Network errors and
time-outs come out as httpx exceptions; `classify` turns either into the outbox's retry `Verdict`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from types import TracebackType
from typing import Protocol

import httpx

from training.config import Settings
from training.mail.redact import scrub
from training.mail.retry import PERMANENT, TEMPORARY, Verdict

# httpx logs every request URL at INFO (and httpcore every step at DEBUG); an SMS request carries the number in
# its query or body, so these stay quiet whatever the service's log level.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    """A provider's reply for last_error and logs: mobile numbers masked, addresses masked, one line."""
    return scrub(_MOBILE.sub(r"\1****\2", text))


class SmsFailure(Exception):
    """The provider answered "no". permanent: this message can never be sent as it is (bad number, template not
    approved, content refused); otherwise later may work (throttling, the provider's own trouble)."""

    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.permanent = permanent


class SmsClient(Protocol):
    name: str

    async def send(self, phone: str, text: str, *, kind: str, outbox_id: int) -> str: ...

    async def aclose(self) -> None: ...


class NoProvider:
    """TRAINING_SMS_PROVIDER=none: nothing can be sent, and the outbox page says why (the organiser can press
    Resend once a provider is configured)."""

    name = "none"

    async def send(self, phone: str, text: str, *, kind: str, outbox_id: int) -> str:
        raise SmsFailure(
            "no_provider", "no SMS provider configured (TRAINING_SMS_PROVIDER=none)", permanent=True
        )

    async def aclose(self) -> None:
        return None


def template_for(settings: Settings, kind: str) -> str:
    return settings.sms_templates.get(kind) or settings.sms_templates["default"]


def make_client(settings: Settings) -> SmsClient:
    if settings.sms_provider == "aliyun":
        from training.sms.aliyun import AliyunClient

        return AliyunClient(settings)
    if settings.sms_provider == "tencent":
        from training.sms.tencent import TencentClient

        return TencentClient(settings)
    return NoProvider()


class Provider:
    """`async with Provider(settings) as client:` one client (one HTTP connection pool) per batch."""

    def __init__(self, settings: Settings) -> None:
        self.client = make_client(settings)

    async def __aenter__(self) -> SmsClient:
        return self.client

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.client.aclose()


def classify(exc: BaseException) -> Verdict:
    if isinstance(exc, SmsFailure):
        return Verdict(PERMANENT if exc.permanent else TEMPORARY, redact(str(exc)))
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        kind = TEMPORARY if status >= 500 or status == 429 else PERMANENT
        return Verdict(kind, f"HTTP {status}")
    if isinstance(exc, httpx.TransportError | OSError | TimeoutError | asyncio.TimeoutError):
        return Verdict(
            TEMPORARY, redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__), True
        )
    if isinstance(exc, ValueError | TypeError | KeyError | UnicodeError):
        # the row cannot be read (e.g. the number does not decrypt): retrying cannot help
        return Verdict(PERMANENT, scrub(f"cannot build the message: {type(exc).__name__}"))
    return Verdict(TEMPORARY, redact(f"{type(exc).__name__}: {exc}"))

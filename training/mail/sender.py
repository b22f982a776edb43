"""Handing one built message to the SMTP relay (aiosmtplib), configured from Settings."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from training.config import Settings

# An SMTP exchange is connect, greeting, EHLO, (STARTTLS, EHLO), (AUTH), MAIL, RCPT, DATA, QUIT: aiosmtplib
# applies its timeout to each step, so one message may take several timeouts in the worst case.
STEPS_PER_MESSAGE = 8


def smtp_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "hostname": settings.smtp_host,
        "port": settings.smtp_port,
        "timeout": settings.smtp_timeout,
        "use_tls": settings.smtp_security == "tls",
        # "none" must not upgrade opportunistically (aiosmtplib would by default): the operator said none.
        "start_tls": settings.smtp_security == "starttls",
    }
    if settings.smtp_user:
        options["username"] = settings.smtp_user
        options["password"] = settings.smtp_password
    return options


def send_budget(settings: Settings) -> float:
    """The longest one message may take before the worker gives up on it (and its lease must outlast)."""
    return settings.smtp_timeout * STEPS_PER_MESSAGE


async def deliver(settings: Settings, message: EmailMessage) -> str:
    """Send; returns the relay's final reply. Raises aiosmtplib/OS errors for retry.classify()."""
    async with asyncio.timeout(send_budget(settings)):
        errors, reply = await aiosmtplib.send(message, **smtp_options(settings))
    if errors:
        # Only possible with several recipients where some were accepted; an outbox message has one.
        refused = [
            aiosmtplib.SMTPRecipientRefused(response.code, response.message, recipient)
            for recipient, response in errors.items()
        ]
        raise aiosmtplib.SMTPRecipientsRefused(refused)
    return reply

"""Handing built messages to the SMTP relay (aiosmtplib), configured from Settings.

A worker sends a batch over one connection (`Relay`): connecting, greeting and TLS cost more than sending a
confirmation-sized message (measured: 9 ms per message with a connection each, 3.7 ms reusing one).
"""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage
from types import TracebackType
from typing import Any

import aiosmtplib

from training.config import Settings

# An SMTP exchange is connect, greeting, EHLO, (STARTTLS, EHLO), (AUTH), MAIL, RCPT, DATA, QUIT: aiosmtplib
# applies its timeout to each step, so one message may take several timeouts in the worst case.
STEPS_PER_MESSAGE = 8
# Relays cap messages per connection (often at 100); reconnect before that.
MESSAGES_PER_CONNECTION = 50


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


class Relay:
    """One SMTP connection reused for several messages; opened on first use, closed on exit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: aiosmtplib.SMTP | None = None
        self._sent_on_connection = 0

    async def __aenter__(self) -> Relay:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            with contextlib.suppress(Exception):
                await smtp.quit()
        if smtp is not None:
            smtp.close()

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._sent_on_connection >= MESSAGES_PER_CONNECTION:
            await self.close()
        if self._smtp is None or not self._smtp.is_connected:
            await self.close()
            smtp = aiosmtplib.SMTP(**smtp_options(self.settings))
            await smtp.connect()
            self._smtp, self._sent_on_connection = smtp, 0
        return self._smtp

    async def send(self, message: EmailMessage) -> str:
        """Send one message; returns the relay's reply. Raises aiosmtplib/OS errors for retry.classify()."""
        async with asyncio.timeout(send_budget(self.settings)):
            smtp = await self._connection()
            reused = self._sent_on_connection > 0
            try:
                errors, reply = await smtp.send_message(message)
            except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
                raise  # the relay answered; aiosmtplib has reset the envelope and the connection is usable
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                await self.close()
                if not reused:
                    raise
                # A connection that served earlier messages may have been dropped while idle or at the
                # relay's per-connection limit, before this message's MAIL FROM: try once on a fresh one.
                smtp = await self._connection()
                errors, reply = await smtp.send_message(message)
            except BaseException:
                await self.close()  # a timeout or cancellation leaves the dialogue in an unknown state
                raise
        self._sent_on_connection += 1
        if errors:
            # Only possible with several recipients where some were accepted; an outbox message has one.
            refused = [
                aiosmtplib.SMTPRecipientRefused(response.code, response.message, recipient)
                for recipient, response in errors.items()
            ]
            raise aiosmtplib.SMTPRecipientsRefused(refused)
        return reply


async def deliver(settings: Settings, message: EmailMessage) -> str:
    """Send one message on a connection of its own."""
    async with Relay(settings) as relay:
        return await relay.send(message)

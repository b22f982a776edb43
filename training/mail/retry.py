"""When to try again and whether to: the back-off schedule and the classification of SMTP failures.

Pure: no I/O. The worker feeds it attempt counts, a random source and exceptions; it answers with delays and
verdicts. Keeping this apart means the policy is unit-tested without a server.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from dataclasses import dataclass
from datetime import timedelta

import aiosmtplib

from training.mail.redact import scrub
from training.mail.states import FailureKind

TEMPORARY = FailureKind.TEMPORARY
PERMANENT = FailureKind.PERMANENT


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with "equal jitter": half the delay is fixed, half random.

    With the defaults a message is tried 15 times over roughly five to seven hours before it is marked failed,
    which rides out a relay that is down for an afternoon, while the jitter keeps workers that failed together
    from hammering the relay together when it returns.
    """

    base_seconds: float = 15.0
    factor: float = 2.0
    cap_seconds: float = 3600.0
    max_attempts: int = 15

    def ceiling(self, attempts: int) -> float:
        """The un-jittered delay after the `attempts`-th failed try (1-based)."""
        exponent = max(attempts, 1) - 1
        # min() before the power would be wrong for factor < 1; guard the exponent to avoid float overflow.
        return min(self.cap_seconds, self.base_seconds * self.factor ** min(exponent, 64))

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        ceiling = self.ceiling(attempts)
        jitter = (rng or random).uniform(0.0, ceiling / 2)
        return timedelta(seconds=ceiling / 2 + jitter)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


@dataclass(frozen=True)
class Verdict:
    kind: str  # TEMPORARY or PERMANENT
    error: str  # for last_error and the log: short, one line, addresses masked
    # The relay could not be reached or did not answer (as opposed to answering "no"): the rest of the batch
    # would fail the same way, so the worker defers it without trying.
    unreachable: bool = False

    @property
    def permanent(self) -> bool:
        return self.kind == PERMANENT


def _reply(code: int, message: str) -> str:
    return scrub(f"{code} {message}")


def classify(exc: BaseException) -> Verdict:
    """Temporary: worth trying again later (network, timeouts, 4xx, the relay's own configuration).
    Permanent: trying again cannot help this message (5xx about the message or its recipient, a broken row)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refusals = exc.recipients
        codes = [r.code for r in refusals]
        text = "; ".join(_reply(r.code, r.message) for r in refusals) or "recipients refused"
        # One recipient per message: a 5xx is final; a 4xx (greylisting, mailbox full) is worth a retry.
        kind = PERMANENT if codes and all(code >= 500 for code in codes) else TEMPORARY
        return Verdict(kind, scrub(f"recipient refused: {text}"))
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # Wrong credentials fail every message alike; it is the relay's set-up, fixed by an operator, so keep
        # the mail waiting rather than failing the whole queue.
        return Verdict(TEMPORARY, "authentication failed: " + _reply(exc.code, exc.message))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        kind = PERMANENT if 500 <= exc.code < 600 else TEMPORARY
        return Verdict(kind, f"{type(exc).__name__}: " + _reply(exc.code, exc.message))
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return Verdict(TEMPORARY, scrub(f"relay does not support a required feature: {exc}"))
    if isinstance(
        exc, aiosmtplib.SMTPException | OSError | TimeoutError | asyncio.TimeoutError | ssl.SSLError
    ):
        text = scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return Verdict(TEMPORARY, text, unreachable=True)
    if isinstance(exc, ValueError | TypeError | KeyError | UnicodeError):
        # The row itself cannot be turned into a message (bad address, bad attachment): retrying cannot help.
        return Verdict(PERMANENT, scrub(f"cannot build the message: {type(exc).__name__}: {exc}"))
    return Verdict(TEMPORARY, scrub(f"{type(exc).__name__}: {exc}"))

"""The outbox worker: claim due messages, send them, record what happened.

Claiming is one conditional UPDATE inside `db.transaction()`:
- PostgreSQL: `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING id`, so workers in any
  number of processes take disjoint rows without waiting on each other;
- SQLite: the same UPDATE (without the locking clause) in an IMMEDIATE transaction, which SQLite runs one at a
  time across processes (and db.py's writer lock queues within one).

A claim sets status 'sending', `locked_by` (this worker) and `locked_until` (a lease). A worker that dies leaves
its rows 'sending' with a lease that runs out; any worker then claims them again. A live worker renews the lease
of the rows it still holds before it runs short, so a long batch is never taken over while it is being sent.

At-least-once: if the process dies after the relay accepted a message but before the row says 'sent', the
message is sent again once the lease expires. The window is kept to one short UPDATE (each message is marked
the moment the relay answers, never in a batch at the end), and the Message-ID is stable so clients can fold the
copies. See docs/mail.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from training import db
from training.config import Settings
from training.mail import outbox
from training.mail.mime import build_message, installation_tag
from training.mail.redact import mask_email, scrub
from training.mail.retry import RetryPolicy, Verdict, classify
from training.mail.sender import Relay, send_budget
from training.mail.states import Channel, Outcome
from training.mail.tables import OutboxMessage

log = logging.getLogger("training.mail")

DEFAULT_BATCH = 10
POLL_SECONDS = 1.0
# Sent mail keeps its body this long (a teacher asking "what did you send me?"), then only its envelope.
RETENTION = timedelta(days=30)
HOUSEKEEPING_SECONDS = 3600.0
MARK_SENT_TRIES = 5  # waits 0.5 + 1 + 2 + 4 s between tries: well inside the lease


def new_worker_id(suffix: str = "") -> str:
    host = socket.gethostname()[:24]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:6]}{suffix}"[:64]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0

    def add(self, other: BatchResult) -> None:
        for name in Outcome:
            setattr(self, name, getattr(self, name) + getattr(other, name))


# --- the SQL every step runs -----------------------------------------------------------------------------------

_DUE = "(status = 'pending' AND next_attempt_at <= {}) OR (status = 'sending' AND locked_until < {})"


async def claim(
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    max_attempts: int,
    channel: str = Channel.EMAIL,
) -> list[dict[str, Any]]:
    """Atomically take up to `limit` due messages of `channel` (email / sms) for `worker_id`; returns their rows.
    Each channel has its own workers (SMTP relay, SMS provider), so one channel's outage never holds the other's."""
    sqlite = db.is_sqlite(db.current_engine())
    locking = "" if sqlite else " FOR UPDATE SKIP LOCKED"
    async with db.transaction():
        # A message whose lease ran out after its last allowed attempt is given up on here rather than
        # handed to yet another worker (a message that kills its worker must not loop forever).
        await db.fetch(
            "UPDATE outbox_message SET status = 'failed', locked_by = '', locked_until = NULL, last_error = {} "  # noqa: S608 - only constants and {} placeholders are spliced in
            "WHERE id IN (SELECT id FROM outbox_message WHERE status = 'sending' AND locked_until < {} "
            f"AND attempts >= {{}} AND channel = {{}}{locking})",
            f"abandoned: no worker finished it in {max_attempts} attempts",
            now,
            max_attempts,
            channel,
        )
        rows = await db.fetch(
            "UPDATE outbox_message SET status = 'sending', locked_by = {}, locked_until = {}, "  # noqa: S608 - only constants and {} placeholders are spliced in
            "attempts = attempts + 1 "
            f"WHERE id IN (SELECT id FROM outbox_message WHERE ({_DUE}) AND channel = {{}} "
            f"ORDER BY next_attempt_at, id LIMIT {{}}{locking}) RETURNING id",
            worker_id,
            now + lease,
            now,
            now,
            channel,
            limit,
        )
        ids = [int(row["id"]) for row in rows]
        if not ids:
            return []
        claimed = await (
            OutboxMessage.select()
            .where(OutboxMessage.id.is_in(ids))
            .order_by(OutboxMessage.id)
            .output(load_json=True)
        )
    return list(claimed)


async def renew(ids: Sequence[int], worker_id: str, until: datetime) -> set[int]:
    """Extend the lease of the rows this worker still holds; returns the ids it still holds."""
    if not ids:
        return set()
    placeholders = ", ".join("{}" for _ in ids)
    async with db.transaction():
        rows = await db.fetch(
            "UPDATE outbox_message SET locked_until = {} "  # noqa: S608 - only constants and {} placeholders are spliced in
            f"WHERE locked_by = {{}} AND status = 'sending' AND id IN ({placeholders}) RETURNING id",
            until,
            worker_id,
            *ids,
        )
    return {int(row["id"]) for row in rows}


async def mark_sent(message_id: int, worker_id: str, now: datetime) -> None:
    async with db.transaction():
        rows = await db.fetch(
            "UPDATE outbox_message SET status = 'sent', sent_at = {}, locked_by = '', locked_until = NULL "
            "WHERE id = {} AND locked_by = {} AND status = 'sending' RETURNING id",
            now,
            message_id,
            worker_id,
        )
        if not rows:
            # Our lease had been taken over: the relay did accept it, so record the truth anyway.
            log.warning("mail %s: sent after its lease was lost; it may arrive twice", message_id)
            await db.fetch(
                "UPDATE outbox_message SET status = 'sent', sent_at = {}, locked_by = '', locked_until = NULL "
                "WHERE id = {} AND status <> 'sent'",
                now,
                message_id,
            )


async def mark_retry(message_id: int, worker_id: str, error: str, next_attempt_at: datetime) -> None:
    async with db.transaction():
        await db.fetch(
            "UPDATE outbox_message SET status = 'pending', locked_by = '', locked_until = NULL, "
            "last_error = {}, next_attempt_at = {} WHERE id = {} AND locked_by = {} AND status = 'sending'",
            error,
            next_attempt_at,
            message_id,
            worker_id,
        )


async def mark_failed(message_id: int, worker_id: str, error: str) -> None:
    async with db.transaction():
        await db.fetch(
            "UPDATE outbox_message SET status = 'failed', locked_by = '', locked_until = NULL, last_error = {} "
            "WHERE id = {} AND locked_by = {} AND status = 'sending'",
            error,
            message_id,
            worker_id,
        )


async def release(ids: Sequence[int], worker_id: str) -> int:
    """Give claimed, unsent rows back (shutting down): due at once, and the claim does not count as a try."""
    if not ids:
        return 0
    placeholders = ", ".join("{}" for _ in ids)
    async with db.transaction():
        rows = await db.fetch(
            "UPDATE outbox_message SET status = 'pending', locked_by = '', locked_until = NULL, "  # noqa: S608 - only constants and {} placeholders are spliced in
            "attempts = attempts - 1 "
            f"WHERE locked_by = {{}} AND status = 'sending' AND id IN ({placeholders}) RETURNING id",
            worker_id,
            *ids,
        )
    return len(rows)


async def purge_sent_bodies(sent_before: datetime) -> int:
    """Data minimisation: once a message has been sent for a while, drop its body and attachments (they carry
    names, self-service links and QR codes; an SMS also its encrypted number). The row stays, for counts and the
    organiser's list."""
    async with db.transaction():
        rows = await db.fetch(
            "UPDATE outbox_message SET body_text = '', body_html = '', attachments = '[]', to_encrypted = '' "
            "WHERE status = 'sent' AND sent_at < {} AND body_text <> '' RETURNING id",
            sent_before,
        )
    return len(rows)


# --- the worker ---------------------------------------------------------------------------------------------------


@dataclass
class MailWorker:
    settings: Settings
    worker_id: str = field(default_factory=new_worker_id)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = DEFAULT_BATCH
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = utcnow

    @property
    def budget(self) -> float:
        return send_budget(self.settings)

    lease_seconds: float | None = None  # tests shorten it; by default it follows the send budget

    @property
    def lease(self) -> timedelta:
        # Long enough for two messages at their slowest; renewed before it runs short, and while a send lasts.
        if self.lease_seconds is not None:
            return timedelta(seconds=self.lease_seconds)
        return timedelta(seconds=2 * self.budget + 30)

    async def _keep_leased(self, ids: list[int], current: Callable[[], datetime]) -> None:
        """Renew these rows' lease every quarter lease until cancelled (when the send in flight has ended)."""
        interval = self.lease.total_seconds() / 4
        while True:
            await asyncio.sleep(interval)
            try:
                await renew(ids, self.worker_id, current() + self.lease)
            except Exception as exc:  # a database hiccup: the next beat tries again, well inside the lease
                log.warning("mail lease not renewed (%s); trying again", type(exc).__name__)

    channel: str = Channel.EMAIL  # the outbox rows this worker claims (the SMS worker claims SMS)

    def _transport(self) -> Any:
        """An async context manager giving the object `_send_one` sends through (here the SMTP relay)."""
        return Relay(self.settings)

    async def run_once(self, now: datetime | None = None, stop: asyncio.Event | None = None) -> BatchResult:
        """Claim one batch and send it. `now` lets tests move the clock (due times, back-off) forward."""
        start = now or self.clock()
        started = time.monotonic()

        def current() -> datetime:
            return start + timedelta(seconds=time.monotonic() - started)

        rows = await claim(
            self.worker_id, start, self.lease, self.batch_size, self.policy.max_attempts, channel=self.channel
        )
        result = BatchResult(claimed=len(rows))
        if not rows:
            return result
        lease_end = start + self.lease
        pending = [int(row["id"]) for row in rows]
        unreachable: Verdict | None = None
        async with self._transport() as transport:
            for row in rows:
                if stop is not None and stop.is_set():
                    break
                if unreachable is not None:
                    # The relay (or provider) is down: defer the rest of the batch (each claim was an attempt)
                    # rather than wait out a connection timeout for every one of them.
                    pending.remove(int(row["id"]))
                    outcome = await self._record_failure(row, unreachable, current)
                    setattr(result, outcome, getattr(result, outcome) + 1)
                    continue
                if (lease_end - current()).total_seconds() < self.budget + 5:
                    lease_end = current() + self.lease
                    held = await renew(pending, self.worker_id, lease_end)
                    pending = [i for i in pending if i in held]
                    if int(row["id"]) not in held:
                        continue  # another worker took it over; do not send it a second time
                pending.remove(int(row["id"]))
                # However slow the relay, the message in flight stays ours: another worker taking it over
                # mid-send would deliver it a second time (a slow relay once turned 10 messages into 27).
                heartbeat = asyncio.create_task(self._keep_leased([int(row["id"]), *pending], current))
                try:
                    outcome, verdict = await self._send_one(transport, row, current)
                finally:
                    heartbeat.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await heartbeat
                setattr(result, outcome, getattr(result, outcome) + 1)
                if verdict is not None and verdict.unreachable:
                    unreachable = verdict
        result.released = await release(pending, self.worker_id)
        return result

    async def _send_one(
        self, relay: Relay, row: dict[str, Any], current: Callable[[], datetime]
    ) -> tuple[str, Verdict | None]:
        message_id = int(row["id"])
        try:
            message = build_message(
                row,
                self.settings.mail_sender,
                now=current(),
                installation=installation_tag(self.settings.secret_key),
            )
            await relay.send(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            verdict = classify(exc)
            return await self._record_failure(row, verdict, current), verdict
        await self._mark_sent(message_id, current)
        log.info("mail %s (%s) sent to %s", message_id, row.get("kind") or "-", mask_email(row["to_addr"]))
        return Outcome.SENT, None

    async def _mark_sent(self, message_id: int, current: Callable[[], datetime]) -> None:
        # The at-least-once window is this one statement: keep nothing else between the relay and it, and
        # ride out a short database hiccup here rather than let the lease expire and the message go out again.
        for attempt in range(MARK_SENT_TRIES):
            try:
                await mark_sent(message_id, self.worker_id, current())
                return
            except Exception as exc:
                if attempt == MARK_SENT_TRIES - 1:
                    raise
                log.warning(
                    "%s %s sent but not yet recorded (%s); retrying",
                    self.channel,
                    message_id,
                    type(exc).__name__,
                )
                await asyncio.sleep(0.5 * 2**attempt)

    async def _record_failure(
        self, row: dict[str, Any], verdict: Verdict, current: Callable[[], datetime]
    ) -> str:
        message_id = int(row["id"])
        recipient = mask_email(row["to_addr"])
        attempts = int(row["attempts"])
        if verdict.permanent or self.policy.exhausted(attempts):
            error = (
                verdict.error if verdict.permanent else f"gave up after {attempts} attempts: {verdict.error}"
            )
            await mark_failed(message_id, self.worker_id, error)
            log.warning("mail %s to %s failed: %s", message_id, recipient, error)
            return Outcome.FAILED
        next_at = current() + self.policy.delay(attempts, self.rng)
        await mark_retry(message_id, self.worker_id, verdict.error, next_at)
        log.info(
            "mail %s to %s will be retried (attempt %s): %s", message_id, recipient, attempts, verdict.error
        )
        return Outcome.RETRIED

    async def drain(self, now: datetime | None = None) -> BatchResult:
        """Send everything due now (tests, `training worker --once`)."""
        total = BatchResult()
        while True:
            result = await self.run_once(now=now)
            total.add(result)
            if result.claimed < self.batch_size:
                return total

    async def run(self, stop: asyncio.Event, poll_seconds: float = POLL_SECONDS) -> None:
        """Work until `stop` is set; finishes the message in hand and gives back the rest."""
        wake = outbox.register_waker()
        failures = 0
        try:
            while not stop.is_set():
                wake.clear()
                try:
                    result = await self.run_once(stop=stop)
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the database is away: wait and try again, never die
                    failures += 1
                    log.error("mail worker %s: %s", self.worker_id, scrub(f"{type(exc).__name__}: {exc}"))
                    await _wait_any(stop, None, min(60.0, poll_seconds * 2**failures))
                    continue
                if result.claimed >= self.batch_size:
                    continue  # more may be due right now
                await _wait_any(stop, wake, poll_seconds)
        finally:
            outbox.unregister_waker(wake)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        for waiter in waiters:
            with contextlib.suppress(asyncio.CancelledError):
                await waiter


async def housekeeping(stop: asyncio.Event) -> None:
    """Drop the bodies of mail sent over RETENTION ago, every HOUSEKEEPING_SECONDS (training/worker.py runs it)."""
    while not stop.is_set():
        try:
            purged = await purge_sent_bodies(utcnow() - RETENTION)
            if purged:
                log.info(
                    "mail: dropped the bodies of %s messages sent over %s days ago", purged, RETENTION.days
                )
        except Exception as exc:  # the database is away: next time
            log.warning("mail housekeeping: %s", type(exc).__name__)
        await _wait_any(stop, None, HOUSEKEEPING_SECONDS)

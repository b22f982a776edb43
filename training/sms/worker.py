"""The SMS worker: the mail worker's claim / lease / record cycle (training/mail/worker.py) with a provider client
instead of the SMTP relay. It claims only `channel = 'sms'` rows, so a provider outage never holds up e-mail and
an SMTP outage never holds up SMS.

Exactly as for mail, a message is marked sent the moment the provider accepts it, in its own short transaction;
neither provider offers an idempotency key for SendSms, so that one statement is the at-least-once window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from training.mail.retry import Verdict
from training.mail.worker import (
    MARK_SENT_TRIES,
    BatchResult,
    MailWorker,
    claim,
    mark_sent,
    release,
    renew,
)
from training.sms.outbox import CHANNEL, decrypt_phone
from training.sms.providers import Provider, SmsClient, classify

log = logging.getLogger("training.sms")


@dataclass
class SmsWorker(MailWorker):
    @property
    def budget(self) -> float:
        # connect + send + answer, each bounded by the timeout; the lease (2 × budget + 30 s) outlasts two
        return self.settings.sms_timeout * 3

    async def run_once(self, now: datetime | None = None, stop: asyncio.Event | None = None) -> BatchResult:
        start = now or self.clock()
        started = time.monotonic()

        def current() -> datetime:
            return start + timedelta(seconds=time.monotonic() - started)

        rows = await claim(
            self.worker_id, start, self.lease, self.batch_size, self.policy.max_attempts, channel=CHANNEL
        )
        result = BatchResult(claimed=len(rows))
        if not rows:
            return result
        lease_end = start + self.lease
        pending = [int(row["id"]) for row in rows]
        unreachable: Verdict | None = None
        async with Provider(self.settings) as client:
            for row in rows:
                if stop is not None and stop.is_set():
                    break
                if unreachable is not None:
                    # the provider cannot be reached: defer the rest of the batch without waiting for each
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
                outcome, verdict = await self._send_sms(client, row, current)
                setattr(result, outcome, getattr(result, outcome) + 1)
                if verdict is not None and verdict.unreachable:
                    unreachable = verdict
        result.released = await release(pending, self.worker_id)
        return result

    async def _send_sms(
        self, client: SmsClient, row: dict[str, Any], current: Callable[[], datetime]
    ) -> tuple[str, Verdict | None]:
        message_id = int(row["id"])
        try:
            phone = decrypt_phone(row["to_encrypted"])
            async with asyncio.timeout(self.budget):
                await client.send(phone, row["body_text"], kind=row["kind"], outbox_id=message_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            verdict = classify(exc)
            return await self._record_failure(row, verdict, current), verdict
        for attempt in range(MARK_SENT_TRIES):
            try:
                await mark_sent(message_id, self.worker_id, current())
                break
            except Exception as exc:
                if attempt == MARK_SENT_TRIES - 1:
                    raise
                log.warning("sms %s sent but not yet recorded (%s); retrying", message_id, type(exc).__name__)
                await asyncio.sleep(0.5 * 2**attempt)
        log.info("sms %s (%s) sent through %s", message_id, row.get("kind") or "-", client.name)
        return "sent", None

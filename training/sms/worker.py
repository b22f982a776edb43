"""The SMS worker: the mail worker's claim / lease / record cycle (training/mail/worker.py, one batch loop for both,
lease heartbeat included) with a provider client instead of the SMTP relay. It claims only `channel = 'sms'` rows, so a provider outage never holds up e-mail and
an SMTP outage never holds up SMS.

Exactly as for mail, a message is marked sent the moment the provider accepts it, in its own short transaction;
neither provider offers an idempotency key for SendSms, so that one statement is the at-least-once window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from training.mail.outbox import decrypt_phone
from training.mail.retry import Verdict
from training.mail.states import Outcome
from training.mail.worker import MailWorker
from training.sms.outbox import CHANNEL
from training.sms.providers import Provider, SmsClient, classify

log = logging.getLogger("training.sms")


@dataclass
class SmsWorker(MailWorker):
    @property
    def budget(self) -> float:
        # connect + send + answer, each bounded by the timeout; the lease (2 × budget + 30 s) outlasts two
        return self.settings.sms_timeout * 3

    channel: str = CHANNEL  # a field: the parent dataclass's default (e-mail) would otherwise win in __init__

    def _transport(self) -> Any:
        return Provider(self.settings)

    async def _send_one(  # type: ignore[override]
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
        await self._mark_sent(message_id, current)
        log.info("sms %s (%s) sent through %s", message_id, row.get("kind") or "-", client.name)
        return Outcome.SENT, None

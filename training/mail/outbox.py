"""Putting mail in the outbox. Call enqueue() inside the same write transaction as the event that causes it,
so the message exists if and only if the event was committed.

enqueue() also nudges the workers so a confirmation leaves within moments rather than at the next poll:
in this process through an asyncio.Event (on SQLite the worker's claim then waits for the enqueuing
transaction's writer lock, so it sees the committed row); across processes on PostgreSQL through
`NOTIFY training_outbox`, which PostgreSQL delivers only when the enqueuing transaction commits.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from training import db, keys
from training.config import Settings
from training.mail.redact import format_recipient

log = logging.getLogger("training.mail")

NOTIFY_CHANNEL = "training_outbox"
MAX_RECIPIENT_LENGTH = 254  # OutboxMessage.to_addr
# An SMS row's number is stored encrypted in `to_encrypted` (its `to_addr` holds only the mask): AES-GCM with this
# associated data, so a number encrypted here cannot pass for another field.
PHONE_CONTEXT = "outbox-sms"


def encrypt_phone(number: str) -> str:
    return keys.current().field_cipher.encrypt(number, PHONE_CONTEXT)


def decrypt_phone(ciphertext: str) -> str:
    return keys.current().field_cipher.decrypt(ciphertext, PHONE_CONTEXT)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "image/png", "text/calendar", "application/pdf"
    data: bytes
    inline_cid: str = ""  # set to show the attachment inline in the HTML body (<img src="cid:...">)
    # A QR code drawn by the mail worker when it sends (data stays empty): drawing one costs milliseconds, which a
    # registration rush should not spend in the request, and the row stays small.
    qr_text: str = ""

    def to_json(self) -> dict[str, str]:
        stored = (
            {"qr_text": self.qr_text} if self.qr_text else {"data_b64": base64.b64encode(self.data).decode()}
        )
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            **stored,
            "inline_cid": self.inline_cid,
        }


async def enqueue(
    to_addr: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    attachments: list[Attachment] | None = None,
    *,
    kind: str = "",
    dedupe_key: str | None = None,
    enrollment_id: int | None = None,
    to_name: str = "",
) -> int | None:
    """Queue one message; returns its id, or None when dedupe_key was already queued (nothing doubled).

    to_name: the recipient's display name (e.g. the teacher's name), shown by mail clients as `张三 <addr>`.
    """
    recipient = format_recipient(to_addr.strip(), to_name)
    if len(recipient) > MAX_RECIPIENT_LENGTH:  # a very long display name: the address alone will do
        recipient = to_addr.strip()
    message_id = await db.insert(
        "outbox_message",
        {
            "to_addr": recipient,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
            "attachments": json.dumps([a.to_json() for a in attachments or []]),
            "kind": kind,
            "dedupe_key": dedupe_key,
            "enrollment_id": enrollment_id,
        },
        # ON CONFLICT rather than check-then-insert: two concurrent transactions with one key must not both
        # insert, and on PostgreSQL a unique violation would abort the caller's whole transaction.
        on_conflict='ON CONFLICT ("dedupe_key") DO NOTHING' if dedupe_key is not None else "",
        notify=NOTIFY_CHANNEL,  # PostgreSQL: wakes workers in other processes at commit
    )
    if message_id is None:
        return None
    wake_workers()
    return message_id


# --- waking workers early ------------------------------------------------------------------------------------

_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def register_waker() -> asyncio.Event:
    event = asyncio.Event()
    _wakers.add((asyncio.get_running_loop(), event))
    return event


def unregister_waker(event: asyncio.Event) -> None:
    for entry in [e for e in _wakers if e[1] is event]:
        _wakers.discard(entry)


def wake_workers() -> None:
    """Set every registered worker's event, whichever event loop it lives on."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for loop, event in list(_wakers):
        if loop is running:
            event.set()
        elif not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)


@contextlib.asynccontextmanager
async def pg_listener(settings: Settings) -> AsyncIterator[None]:
    """On PostgreSQL, LISTEN for enqueues committed by other processes and wake this process's workers.
    Best effort: without it the workers still poll."""
    async with db.listen(settings.database_url, NOTIFY_CHANNEL, wake_workers):
        yield

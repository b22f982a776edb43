"""Putting SMS in the outbox. Call enqueue_sms() inside the same `db.transaction()` as the event that causes
it: the message exists if and only if the event was committed, exactly like e-mail (training/mail/outbox.py).

The number is stored encrypted (the outbox's `encrypt_phone`, the field cipher of training/keys.py); the row's `to_addr` carries only its mask,
which is what pages and logs show.
"""

from __future__ import annotations

from training import db
from training.core.masking import mask_phone
from training.core.phones import is_valid_mobile, normalize_mobile
from training.mail.outbox import NOTIFY_CHANNEL, encrypt_phone, wake_workers
from training.mail.states import Channel

CHANNEL = Channel.SMS
MAX_UNITS = 500  # a runaway text is a bug; providers refuse far shorter ones anyway


async def enqueue_sms(
    phone: str,
    text: str,
    *,
    kind: str,
    dedupe_key: str | None = None,
    enrollment_id: int | None = None,
) -> int | None:
    """Queue one SMS; returns its id, or None when `dedupe_key` was already queued (nothing doubled).

    phone: a mainland mobile number (spaces, dashes and +86 are tolerated); ValueError if it is not one.
    text: the message without the signature (the provider adds 【sign name】); see training/sms/text.py for the
    70/67 rules. dedupe_key lives in its own namespace: the same key may also be used for an e-mail.
    """
    number = normalize_mobile(phone)
    if not is_valid_mobile(number):
        raise ValueError("not a mainland mobile number")
    text = text.strip()
    if not text:
        raise ValueError("empty SMS text")
    if len(text) > MAX_UNITS:
        raise ValueError("SMS text too long")
    message_id = await db.insert(
        "outbox_message",
        {
            "channel": CHANNEL,
            "to_addr": mask_phone(number),
            "to_encrypted": encrypt_phone(number),
            "subject": "",
            "body_text": text,
            "kind": kind,
            "dedupe_key": None if dedupe_key is None else f"sms:{dedupe_key}"[:128],
            "enrollment_id": enrollment_id,
        },
        on_conflict='ON CONFLICT ("dedupe_key") DO NOTHING' if dedupe_key is not None else "",
        notify=NOTIFY_CHANNEL,
    )
    if message_id is None:
        return None
    wake_workers()
    return message_id

"""Sending one message to teachers on the channels that work for them (training/notify/channels.py), queued in
the caller's write transaction through the outbox (e-mail and SMS)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from training import db, keys
from training.mail.outbox import enqueue
from training.mail.states import Channel
from training.notify.channels import Contact, channels_for, default_channel
from training.people.service import reveal_phone
from training.sms import enqueue_sms
from training.sms import state as sms_state

log = logging.getLogger("training.notify")


@dataclass(frozen=True)
class Recipient:
    enrollment_id: int
    teacher_id: int
    name: str
    status: str
    contact: Contact


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str  # e-mail subject
    email_text: str
    sms_text: str


_SELECT = (
    'SELECT e."id" AS enrollment_id, e."status", t."id" AS teacher_id, t."name", t."email", '
    't."phone_encrypted", p."channel", p."essential_only" '
    'FROM "enrollment" e JOIN "teacher" t ON t."id" = e."teacher" '
    'LEFT JOIN "notify_preference" p ON p."teacher" = t."id" '
)


def _recipient(row: dict[str, Any], sms_enabled: bool) -> Recipient:
    phone = ""
    if sms_enabled and row["phone_encrypted"]:
        try:
            phone = reveal_phone(row)
        except Exception:  # an erased or unreadable number: that channel does not work for her
            phone = ""
    email = row["email"] or ""
    contact = Contact(
        email=email,
        phone=phone,
        preferred=row["channel"] or default_channel(bool(email), sms_enabled),
        essential_only=bool(row["essential_only"]),
    )
    return Recipient(int(row["enrollment_id"]), int(row["teacher_id"]), row["name"], row["status"], contact)


async def recipients(where: str, *args: Any) -> list[Recipient]:
    """Enrollments (with teacher and preference) matching `where` (SQL over e./t., {} placeholders)."""
    rows = await db.fetch(_SELECT + "WHERE " + where + ' ORDER BY e."id"', *args)
    enabled = sms_state.enabled()
    _ = keys.current()  # fail early, before any message, if keys are not configured
    return [_recipient(row, enabled) for row in rows]


async def recipient(enrollment_id: int) -> Recipient | None:
    found = await recipients('e."id" = {}', enrollment_id)
    return found[0] if found else None


async def send(recipient: Recipient, message: Message, *, dedupe_key: str | None = None) -> tuple[str, ...]:
    """Queue `message` to `recipient` on the channels the policy picks; returns them (empty: nobody reachable or
    opted out). Call inside the event's write transaction."""
    chosen = channels_for(message.kind, recipient.contact, sms_state.enabled())
    if Channel.EMAIL in chosen:
        await enqueue(
            recipient.contact.email,
            message.subject,
            message.email_text,
            kind=message.kind,
            dedupe_key=dedupe_key,
            enrollment_id=recipient.enrollment_id,
            to_name=recipient.name,
        )
    if Channel.SMS in chosen:
        await enqueue_sms(
            recipient.contact.phone,
            message.sms_text,
            kind=message.kind,
            dedupe_key=dedupe_key,
            enrollment_id=recipient.enrollment_id,
        )
    return chosen

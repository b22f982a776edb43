"""What organisers see of the outbox and the one thing they may do to it: send a failed message again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from training import db
from training.errors import Conflict, NotFound
from training.i18n import N_, register_messages
from training.mail.outbox import decrypt_phone, wake_workers
from training.mail.redact import mask_email
from training.mail.states import Channel, OutboxStatus
from training.mail.tables import OutboxMessage

STATUSES = tuple(s.value for s in OutboxStatus)

register_messages(
    {
        "mail_not_failed": N_("Only failed messages can be sent again."),
        "invalid_status": N_("Unknown mail status."),
    }
)


@dataclass(frozen=True)
class MailSummary:
    id: int
    channel: str  # email / sms
    to: str  # masked
    subject: str
    kind: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    created_at: datetime | None
    sent_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "kind": self.kind,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "next_attempt_at": iso(self.next_attempt_at),
            "created_at": iso(self.created_at),
            "sent_at": iso(self.sent_at),
        }


async def counts_by_status() -> dict[str, int]:
    rows = await db.fetch('SELECT status, COUNT(*) AS n FROM "outbox_message" GROUP BY status')
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({row["status"]: int(row["n"]) for row in rows})
    return counts


async def list_messages(statuses: tuple[str, ...], limit: int = 100, offset: int = 0) -> list[MailSummary]:
    """Newest first; never the body or the full address."""
    rows = await (
        OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.to_addr,
            OutboxMessage.subject,
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.next_attempt_at,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .where(OutboxMessage.status.is_in(list(statuses)))
        .order_by(OutboxMessage.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [
        MailSummary(
            id=row["id"],
            channel=row["channel"],
            # an SMS row stores only the masked number (training/sms/outbox.py)
            to=row["to_addr"] if row["channel"] == Channel.SMS else mask_email(row["to_addr"]),
            subject=row["subject"],
            kind=row["kind"],
            status=row["status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            next_attempt_at=row["next_attempt_at"],
            created_at=row["created_at"],
            sent_at=row["sent_at"],
        )
        for row in rows
    ]


async def resend(message_id: int, now: datetime | None = None) -> None:
    """A failed message goes back to the queue as if new: due now, its attempts counted afresh."""
    async with db.transaction():
        rows = await db.fetch(
            "UPDATE outbox_message SET status = 'pending', attempts = 0, next_attempt_at = {}, "
            "last_error = '', locked_by = '', locked_until = NULL WHERE id = {} AND status = 'failed' RETURNING id",
            now or datetime.now(UTC),
            message_id,
        )
        if not rows:
            if not await OutboxMessage.exists().where(OutboxMessage.id == message_id):
                raise NotFound()
            raise Conflict("mail_not_failed")
    wake_workers()


async def open_message(message_id: int, actor: Any) -> dict[str, Any]:
    """One message with its recipient unmasked, for an organiser; the look is audited (a full address or mobile
    number is personal data)."""
    from training.audit import writer as audit
    from training.errors import NotFound

    row = (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.to_addr,
            OutboxMessage.to_encrypted,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.attachments,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.kind,
            OutboxMessage.enrollment_id,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .where(OutboxMessage.id == message_id)
        .first()
    )
    if row is None:
        raise NotFound()
    recipient = row["to_addr"]
    if row["channel"] == Channel.SMS and row["to_encrypted"]:
        recipient = decrypt_phone(row["to_encrypted"])
    row["recipient"] = recipient
    attachments = row["attachments"]
    if isinstance(attachments, str):
        import json

        attachments = json.loads(attachments or "[]")
    row["attachment_names"] = [a.get("filename", "") for a in attachments or [] if isinstance(a, dict)]
    row.pop("to_encrypted", None)
    row.pop("attachments", None)
    await audit.record(actor, "view_recipient", "outbox_message", message_id, {"kind": row["kind"]})
    return row

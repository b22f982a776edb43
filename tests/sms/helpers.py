"""SMS test helpers."""

from __future__ import annotations

from typing import Any

from training import db
from training.mail.tables import OutboxMessage
from training.sms.outbox import enqueue_sms


async def queue_sms(phone: str = "19912345678", text: str = "您好，明早8:00签到。", **kwargs: Any) -> int:
    kwargs.setdefault("kind", "reminder")
    async with db.transaction():
        message_id = await enqueue_sms(phone, text, **kwargs)
    assert message_id is not None
    return message_id


async def outbox_row(message_id: int) -> dict[str, Any]:
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    return row

"""Synchronous helpers for mail tests that drive the app (TestClient, live server, browser)."""

from __future__ import annotations

from typing import Any

from tests.kit.sync import run_sync
from training import db
from training.mail.outbox import enqueue
from training.mail.states import MessageKind
from training.mail.tables import OutboxMessage


def queue(to: str, subject: str, status: str = "pending", error: str = "", body: str = "您好。") -> int:
    """Queue one message (as a domain would) and optionally force its status, for pages to show."""

    async def work() -> int:
        async with db.transaction():
            message_id = await enqueue(to, subject, body, kind=MessageKind.CONFIRMATION)
            assert message_id is not None
            if status != "pending" or error:
                await OutboxMessage.update(
                    {OutboxMessage.status: status, OutboxMessage.last_error: error}
                ).where(OutboxMessage.id == message_id)
        return message_id

    return int(run_sync(work()))


def status_of(message_id: int) -> str:
    async def work() -> Any:
        return await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()

    return str(run_sync(work())["status"])

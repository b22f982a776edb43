"""Putting mail in the outbox. Call enqueue() inside the same write transaction as the event that causes it,
so the message exists if and only if the event was committed."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from training.mail.tables import OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "image/png", "text/calendar", "application/pdf"
    data: bytes
    inline_cid: str = ""  # set to show the attachment inline in the HTML body (<img src="cid:...">)

    def to_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data_b64": base64.b64encode(self.data).decode(),
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
) -> int | None:
    """Queue one message; returns its id, or None when dedupe_key was already queued (nothing doubled)."""
    if dedupe_key is not None and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return None
    rows = await OutboxMessage.insert(
        OutboxMessage(
            to_addr=to_addr,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            attachments=[a.to_json() for a in attachments or []],
            kind=kind,
            dedupe_key=dedupe_key,
            enrollment_id=enrollment_id,
        )
    )
    return int(rows[0]["id"])

"""Turning an outbox row into an RFC 5322 message.

Pure: no I/O. Layout, from the outside in:

    multipart/mixed                      (only when there are attachments)
      multipart/alternative              (only when there is an HTML body)
        text/plain
        multipart/related                (only when the HTML shows inline images)
          text/html
          image/png  Content-ID: <cid>   (each inline image)
      image/png, text/calendar; method=PUBLISH, application/pdf ...   (attachments)

Headers with Chinese (subject, display names) are RFC 2047-encoded by the email package's default policy.
The Message-ID is derived from the row and the installation (a tag derived from the root secret), so a message
sent twice (the at-least-once window, see docs/mail.md) carries the same Message-ID both times and mail clients
can fold the copies together, while row 17 of another installation sending from the same domain gets another one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import Any

from training.crypto import derive_key, keyed_hash
from training.mail.redact import addr_spec
from training.qr import qr_png

# Calendar invitations are "published" (informational), not "requests" that expect a reply.
_CALENDAR_PARAMS = {"method": "PUBLISH", "charset": "utf-8"}


def _attachments(raw: Any) -> list[dict[str, str]]:
    if isinstance(raw, str | bytes):
        raw = json.loads(raw or "[]")
    return list(raw or [])


@lru_cache(maxsize=4)
def installation_tag(secret: str) -> str:
    """12 hex digits that tell this installation's Message-IDs from every other's (not reversible to the secret)."""
    return keyed_hash(derive_key(secret, "message-id"), "installation")[:12]


def message_id(row_id: int, created_at: datetime | None, sender: str, installation: str) -> str:
    domain = addr_spec(sender).rpartition("@")[2] or "localhost"
    stamp = int(created_at.timestamp()) if created_at else 0
    return f"<outbox.{row_id}.{stamp}.{installation}@{domain}>"


def build_message(
    row: Mapping[str, Any], sender: str, now: datetime | None = None, *, installation: str
) -> EmailMessage:
    """An EmailMessage for one outbox row (keys: id, to_addr, subject, body_text, body_html, attachments,
    created_at); `installation`: installation_tag(secret). Raises ValueError when the row cannot make a valid
    message."""
    to = str(row["to_addr"]).strip()
    if "@" not in addr_spec(to) or "\n" in to or "\r" in to:
        raise ValueError("recipient is not an email address")
    if not parseaddr(sender)[1]:
        raise ValueError("sender is not an email address")

    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = str(row["subject"]).replace("\r", " ").replace("\n", " ")
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = message_id(int(row["id"]), row.get("created_at"), sender, installation)
    # Tells auto-responders (out-of-office) not to answer a notification.
    msg["Auto-Submitted"] = "auto-generated"

    # base64 keeps the wire 7-bit clean for relays without 8BITMIME (and is what CJK mail customarily uses).
    msg.set_content(str(row["body_text"] or ""), subtype="plain", charset="utf-8", cte="base64")

    attachments = _attachments(row.get("attachments"))
    inline = [a for a in attachments if a.get("inline_cid")]
    files = [a for a in attachments if not a.get("inline_cid")]
    html = str(row.get("body_html") or "")
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
        html_part = msg.get_payload()[1]  # type: ignore[index]
        assert isinstance(html_part, EmailMessage)
        for item in inline:
            maintype, subtype = _split_type(item["content_type"])
            html_part.add_related(
                attachment_bytes(item),
                maintype=maintype,
                subtype=subtype,
                cid=f"<{item['inline_cid']}>",
                filename=item["filename"],
                disposition="inline",
            )
    else:
        files = attachments  # nowhere to show inline images: attach them as files

    for item in files:
        _attach(msg, item)
    return msg


def attachment_bytes(item: Mapping[str, str]) -> bytes:
    """The attachment's content: stored bytes, or a QR code drawn from its text (the same text draws the same
    image, so an inline copy and an attached copy of one code are drawn once)."""
    if item.get("qr_text"):
        return _qr_png(item["qr_text"])
    return base64.b64decode(item["data_b64"], validate=True)


@lru_cache(maxsize=16)
def _qr_png(text: str) -> bytes:
    return qr_png(text)


def _split_type(content_type: str) -> tuple[str, str]:
    maintype, slash, subtype = content_type.partition(";")[0].strip().lower().partition("/")
    if not slash or not maintype or not subtype:
        raise ValueError(f"bad content type {content_type!r}")
    return maintype, subtype


def _attach(msg: EmailMessage, item: Mapping[str, str]) -> None:
    maintype, subtype = _split_type(item["content_type"])
    data = attachment_bytes(item)
    params = _CALENDAR_PARAMS if (maintype, subtype) == ("text", "calendar") else None
    msg.add_attachment(
        data,
        maintype=maintype,
        subtype=subtype,
        filename=item["filename"],
        params=params,
    )

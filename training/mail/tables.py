from piccolo.columns import JSON, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.mail.states import Channel, MessageKind, OutboxStatus


class OutboxMessage(Table, tablename="outbox_message"):
    """An email or SMS to send, written in the same transaction as the event that causes it."""

    id: Serial
    channel = Varchar(length=8, default=Channel.EMAIL, choices=Channel)
    to_addr = Varchar(length=254)  # the address (email) or the masked number (sms: 199****1234)
    to_encrypted = Text(default="")  # sms: the number, AES-GCM (training/keys.py field cipher)
    subject = Varchar(length=255)
    body_text = Text()
    body_html = Text(default="")
    # [{"filename", "content_type", "data_b64" or "qr_text", "inline_cid"?}] — small attachments travel in the row;
    # a QR code travels as its text and is drawn when the message is sent
    attachments = JSON(default=[])
    status = Varchar(length=16, default=OutboxStatus.PENDING, index=True, choices=OutboxStatus)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    locked_by = Varchar(length=64, default="")
    locked_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    dedupe_key = Varchar(length=128, null=True, default=None, unique=True)
    kind = Varchar(length=32, default=MessageKind.NONE, choices=MessageKind)
    enrollment_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)

"""The outbox's named values: a message's state, its channel, what it is about, and a send attempt's outcome.

The outbox table carries e-mail and SMS alike (training/sms writes to it too), so these names are shared by both
workers and by training/notify. StrEnum: members are their strings, stored rows and JSON keep their values; the
database refuses other values (CHECK constraints, piccolo_migrations/*2026_12_01t04_40_00*).
"""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """pending → sending (claimed, leased) → sent, or back to pending (retry), or failed (given up)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Channel(StrEnum):
    """How a message reaches a teacher (an outbox row's channel; a teacher's preferred channel)."""

    EMAIL = "email"
    SMS = "sms"


class MessageKind(StrEnum):
    """What a message is about (labels in training/mail/labels.py; essential ones in training/notify/channels.py)."""

    NONE = ""  # a message queued without a kind (tests, ad-hoc mail)
    CONFIRMATION = "confirmation"
    PROMOTION = "promotion"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    REJECTED = "rejected"
    CODE = "code"
    CONTACT_CODE = "contact_code"
    REMINDER = "reminder"
    STILL_WAITING = "still_waiting"
    CHANGE = "change"
    CANCELLED = "cancelled"
    BROADCAST = "broadcast"
    CERTIFICATE = "certificate"
    CERTIFICATE_REVOKED = "certificate_revoked"
    NOMINATED = "nominated"  # a county nominated her for an exchange cohort: confirm or decline


class Outcome(StrEnum):
    """What one send attempt did to its message (the worker's batch counts)."""

    CLAIMED = "claimed"
    SENT = "sent"
    RETRIED = "retried"
    FAILED = "failed"
    RELEASED = "released"


class FailureKind(StrEnum):
    """A failed send: worth trying again, or never going to work."""

    TEMPORARY = "temporary"
    PERMANENT = "permanent"

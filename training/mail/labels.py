"""Display labels for outbox statuses and the page's filters (kept in the domain, not the shared labels)."""

from __future__ import annotations

from training.i18n import N_, gettext
from training.mail.states import MessageKind, OutboxStatus

STATUS_LABELS: dict[str, str] = {
    OutboxStatus.PENDING: N_("Waiting to send"),
    OutboxStatus.SENDING: N_("Sending"),
    OutboxStatus.SENT: N_("Sent"),
    OutboxStatus.FAILED: N_("Failed"),
}
FILTER_LABELS = {
    "attention": N_("Needs attention"),
    "failed": N_("Failed"),
    "pending": N_("Waiting"),
    "sent": N_("Sent"),
}


def status_label(status: str) -> str:
    text = STATUS_LABELS.get(status)
    return gettext(text) if text else status


def filter_label(name: str) -> str:
    text = FILTER_LABELS.get(name)
    return gettext(text) if text else name


# What an SMS is about (it has no subject line); kinds without a label show as they are.
KIND_LABELS: dict[str, str] = {
    MessageKind.CONFIRMATION: N_("Registration confirmed"),
    MessageKind.PROMOTION: N_("A seat is yours"),
    MessageKind.WAITLISTED: N_("On the waiting list"),
    MessageKind.PENDING: N_("Registration received"),
    MessageKind.REJECTED: N_("Registration not accepted"),
    MessageKind.CODE: N_("One-time code"),
    MessageKind.REMINDER: N_("Reminder"),
    MessageKind.STILL_WAITING: N_("Still waiting"),
    MessageKind.CHANGE: N_("Change notice"),
    MessageKind.CANCELLED: N_("Cancellation"),
    MessageKind.BROADCAST: N_("Message from the organisers"),
    MessageKind.CERTIFICATE: N_("Certificate"),
    MessageKind.CERTIFICATE_REVOKED: N_("Certificate revoked"),
    MessageKind.NOMINATED: N_("Nominated: confirm or decline"),
}


def kind_label(kind: str) -> str:
    text = KIND_LABELS.get(kind)
    return gettext(text) if text else kind

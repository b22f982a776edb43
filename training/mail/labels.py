"""Display labels for outbox statuses and the page's filters (kept in the domain, not the shared labels)."""

from __future__ import annotations

from training.i18n import N_, gettext

STATUS_LABELS = {
    "pending": N_("Waiting to send"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
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
KIND_LABELS = {
    "confirmation": N_("Registration confirmed"),
    "promotion": N_("A seat is yours"),
    "waitlisted": N_("On the waiting list"),
    "pending": N_("Registration received"),
    "rejected": N_("Registration not accepted"),
    "code": N_("One-time code"),
    "reminder": N_("Reminder"),
    "still_waiting": N_("Still waiting"),
    "change": N_("Change notice"),
    "cancelled": N_("Cancellation"),
    "broadcast": N_("Message from the organisers"),
    "certificate": N_("Certificate"),
    "certificate_revoked": N_("Certificate revoked"),
}


def kind_label(kind: str) -> str:
    text = KIND_LABELS.get(kind)
    return gettext(text) if text else kind

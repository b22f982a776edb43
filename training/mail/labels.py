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

"""SMS texts: short, Chinese, with the short self-service link (never a QR). Each is shaped by the 70/67 rules
(training/sms/text.py) so the link always survives; a body that would run past two messages is cut."""

from __future__ import annotations

from typing import Any

from training import i18n, keys
from training.i18n import N_
from training.sms import state
from training.sms.links import short_url
from training.sms.text import fit

MAX_SEGMENTS = 2

ENROLLMENT = {
    "confirmation": N_("{name}, your place at {title} ({dates}) is confirmed. Check-in code and details:"),
    "promotion": N_("{name}, a seat at {title} ({dates}) is now yours. Check-in code and details:"),
    "waitlisted": N_(
        "{name}, {title} is full; you are on the waiting list and will be told when a seat frees up:"
    ),
    "pending": N_("{name}, we received your registration for {title}; you will hear once it is reviewed:"),
    "rejected": N_("{name}, sorry, your registration for {title} was not accepted. Details:"),
    "cancelled": N_("{name}, your registration for {title} is cancelled. Details:"),
}


def dates_of(session: dict[str, Any]) -> str:
    start, end = session.get("starts_on"), session.get("ends_on")
    if not start:
        return ""
    if not end or end == start:
        return f"{start.month}月{start.day}日"
    if end.month == start.month:
        return f"{start.month}月{start.day}日至{end.day}日"
    return f"{start.month}月{start.day}日至{end.month}月{end.day}日"


def link_for(base_url: str, enrollment_id: int) -> str:
    return short_url(base_url, keys.current().teacher_link, enrollment_id)


def shape(body: str, link: str = "") -> str:
    """The body cut to fit (with the link, after a space, intact)."""
    return fit(body, state.sign_name(), tail=f" {link}" if link else "", max_segments=MAX_SEGMENTS)


def enrollment_sms(kind: str, name: str, session: dict[str, Any], base_url: str, enrollment_id: int) -> str:
    template = ENROLLMENT.get(kind)
    if template is None:
        return ""
    with i18n.language("zh_Hans"):
        body = i18n._(template, name=name, title=session.get("title", ""), dates=dates_of(session))
    return shape(body, link_for(base_url, enrollment_id))

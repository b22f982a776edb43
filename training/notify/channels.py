"""Which channel gets which message. Pure: no I/O.

- Essential messages (the outcome of a registration, a cancellation, a change to what she attends, a revoked
  certificate) go on **every** channel that works for the teacher: e-mail when she gave an address, SMS when she
  gave a mobile number (always) and a provider is configured. One broken channel never loses one of them.
- Everything else (reminders, "still waiting", broadcasts) goes once, on her preferred channel, or on the other if
  the preferred one does not work for her; nothing if she opted out of non-essential messages.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("sms", "email")
ESSENTIAL = frozenset(
    {
        "confirmation",
        "waitlisted",
        "promotion",
        "pending",
        "rejected",
        "cancelled",
        "change",
        "certificate_revoked",
        "code",
    }
)


@dataclass(frozen=True)
class Contact:
    email: str = ""
    phone: str = ""  # plaintext, only in memory
    preferred: str = "sms"
    essential_only: bool = False


def working(contact: Contact, sms_enabled: bool) -> tuple[str, ...]:
    return tuple(
        channel
        for channel, ok in (("sms", bool(contact.phone) and sms_enabled), ("email", bool(contact.email)))
        if ok
    )


def channels_for(kind: str, contact: Contact, sms_enabled: bool) -> tuple[str, ...]:
    usable = working(contact, sms_enabled)
    if kind in ESSENTIAL:
        return usable
    if contact.essential_only or not usable:
        return ()
    preferred = contact.preferred if contact.preferred in usable else usable[0]
    return (preferred,)


def default_channel(has_email: bool, sms_enabled: bool) -> str:
    """With no stated preference: SMS when it works (teachers read SMS), else e-mail."""
    return "sms" if sms_enabled or not has_email else "email"

"""Which channel gets which message. Pure: no I/O.

- Essential messages (the outcome of a registration, a cancellation, a change to what she attends, a revoked
  certificate) go on **every** channel that works for the teacher: e-mail when she gave an address, SMS when she
  gave a mobile number (always) and a provider is configured. One broken channel never loses one of them.
- Everything else (reminders, "still waiting", broadcasts) goes once, on her preferred channel, or on the other if
  the preferred one does not work for her; nothing if she opted out of non-essential messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from training.mail.states import Channel, MessageKind

CHANNELS = (Channel.SMS, Channel.EMAIL)
ESSENTIAL = frozenset(
    {
        MessageKind.CONFIRMATION,
        MessageKind.WAITLISTED,
        MessageKind.PROMOTION,
        MessageKind.PENDING,
        MessageKind.REJECTED,
        MessageKind.CANCELLED,
        MessageKind.CHANGE,
        MessageKind.CERTIFICATE_REVOKED,
        MessageKind.CODE,
        MessageKind.NOMINATED,  # she has to answer: her county's seat waits on it
    }
)


@dataclass(frozen=True)
class Contact:
    email: str = ""
    phone: str = ""  # plaintext, only in memory
    preferred: str = Channel.SMS
    essential_only: bool = False


def working(contact: Contact, sms_enabled: bool) -> tuple[Channel, ...]:
    return tuple(
        channel
        for channel, ok in (
            (Channel.SMS, bool(contact.phone) and sms_enabled),
            (Channel.EMAIL, bool(contact.email)),
        )
        if ok
    )


def channels_for(kind: str, contact: Contact, sms_enabled: bool) -> tuple[Channel, ...]:
    usable = working(contact, sms_enabled)
    if kind in ESSENTIAL:
        return usable
    if contact.essential_only or not usable:
        return ()
    preferred = Channel(contact.preferred) if contact.preferred in usable else usable[0]
    return (preferred,)


def default_channel(has_email: bool, sms_enabled: bool) -> Channel:
    """With no stated preference: SMS when it works (teachers read SMS), else e-mail."""
    return Channel.SMS if sms_enabled or not has_email else Channel.EMAIL

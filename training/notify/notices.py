"""Notices that follow an event, queued in the event's transaction: a cancellation confirmed to the teacher."""

from __future__ import annotations

from typing import Any

from training import i18n
from training.core.links import self_service_url
from training.i18n import N_
from training.notify import service
from training.notify.texts import dates_of, link_for, shape
from training.sms import state as sms_state

CANCELLED_SUBJECT = N_("Registration cancelled: {title}")
CANCELLED_BY_TEACHER = N_(
    "{name}, as you asked, your registration for {title} ({dates}) is cancelled and your seat goes to the next "
    "teacher waiting."
)
CANCELLED_BY_STAFF = N_(
    "{name}, the organisers have cancelled your registration for {title} ({dates}). If this is unexpected, please "
    "contact them."
)
DETAILS = N_("Details:")
REVOKED_SUBJECT = N_("Certificate revoked: {title}")
REVOKED = N_(
    "{name}, your certificate for {title} (No. {serial}) has been revoked. Reason: {reason}. If you think this is "
    "wrong, please contact the organisers."
)


async def cancelled(enrollment_id: int, session: dict[str, Any], base_url: str, *, by_staff: bool) -> None:
    recipient = await service.recipient(enrollment_id)
    if recipient is None:
        return
    with i18n.language("zh_Hans"):
        params = {"name": recipient.name, "title": session["title"], "dates": dates_of(session)}
        body = i18n._(CANCELLED_BY_STAFF if by_staff else CANCELLED_BY_TEACHER, **params)
        subject = i18n._(CANCELLED_SUBJECT, title=session["title"])
        details = i18n._(DETAILS)
    message = service.Message(
        kind="cancelled",
        subject=subject,
        email_text=f"{body}\n\n{details} {self_service_url(base_url, enrollment_id)}\n",
        sms_text=shape(body + details, link_for(base_url, enrollment_id)),
    )
    await service.send(recipient, message, dedupe_key=f"cancelled:{enrollment_id}")


async def certificate_revoked(
    enrollment_id: int, title: str, serial: str, reason: str, revision: int = 1
) -> None:
    """Explain a revoked certificate to its holder (essential: every channel that works)."""
    recipient = await service.recipient(enrollment_id)
    if recipient is None:
        return
    base_url = sms_state.base_url()
    with i18n.language("zh_Hans"):
        body = i18n._(REVOKED, name=recipient.name, title=title, serial=serial, reason=reason)
        subject = i18n._(REVOKED_SUBJECT, title=title)
        details = i18n._(DETAILS)
    message = service.Message(
        kind="certificate_revoked",
        subject=subject,
        email_text=f"{body}\n\n{details} {self_service_url(base_url, enrollment_id)}\n",
        sms_text=shape(body + details, link_for(base_url, enrollment_id)),
    )
    await service.send(recipient, message, dedupe_key=f"certificate:{serial}:revoked:r{revision}")

"""A nominee is told of her nomination (through the outbox, in the nomination's transaction) and answers from her
self-service link: she goes (accepted) or declines. A decline cancels the enrollment, so her county's quota seat
is free again for another nomination. Both answers are idempotent and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from training import db, i18n
from training.audit import writer as audit
from training.core.links import self_service_url
from training.enrollment import cancelling, seating
from training.enrollment.promoting import enrollment_row
from training.enrollment.states import EnrollmentStatus, NomineeAnswer
from training.enrollment.tables import Enrollment
from training.errors import Conflict
from training.i18n import N_, register_messages
from training.mail.states import MessageKind
from training.notify import service as notify
from training.notify.texts import dates_of, link_for, shape
from training.programmes.states import RegistrationMode

register_messages(
    {
        "not_a_nomination": N_("This registration is not a nomination."),
        "nomination_declined": N_("You have declined this nomination; it cannot be confirmed any more."),
        "nomination_not_open": N_(
            "This nomination has been withdrawn or decided; there is nothing to answer."
        ),
    }
)

NOMINATED_SUBJECT = N_("You are nominated: {title}")
NOMINATED = N_(
    "{name}, {county} has nominated you for {title} ({dates}, {city}). Please confirm that you will go, or "
    "decline, on your page:"
)
DECLINED_SUBJECT = N_("Nomination declined: {title}")
DECLINED = N_(
    "{name}, you have declined the nomination for {title}; your county's place is free for another teacher. If "
    "this was not you, please contact your county coordinator."
)
DETAILS = N_("Your page:")

# Answers are taken while the nomination stands: nominated, or already selected by the organisers.
ANSWERABLE = (EnrollmentStatus.NOMINATED, EnrollmentStatus.CONFIRMED)


async def _send(
    recipient: notify.Recipient, kind: str, subject: str, body: str, base_url: str, dedupe_key: str
) -> tuple[str, ...]:
    enrollment_id = recipient.enrollment_id
    with i18n.language("zh_Hans"):
        details = i18n._(DETAILS)
    message = notify.Message(
        kind=kind,
        subject=subject,
        email_text=f"{body}\n\n{details} {self_service_url(base_url, enrollment_id)}\n",
        sms_text=shape(body + details, link_for(base_url, enrollment_id)),
    )
    return await notify.send(recipient, message, dedupe_key=dedupe_key)


async def tell_nominee(
    enrollment_id: int, session: dict[str, Any], county_name: str, base_url: str
) -> tuple[str, ...]:
    """Queue the 'you are nominated' message (every channel that works for her: she has to answer). Call inside
    the nomination's transaction; returns the channels used."""
    recipient = await notify.recipient(enrollment_id)
    if recipient is None:
        return ()
    with i18n.language("zh_Hans"):
        body = i18n._(
            NOMINATED,
            name=recipient.name,
            county=county_name,
            title=session["title"],
            dates=dates_of(session),
            city=session.get("host_city") or "",
        )
        subject = i18n._(NOMINATED_SUBJECT, title=session["title"])
    return await _send(
        recipient, MessageKind.NOMINATED, subject, body, base_url, f"nominated:{enrollment_id}"
    )


@dataclass(frozen=True, slots=True)
class Answered:
    answer: NomineeAnswer
    changed: bool  # False: she had given this answer already (nothing happened again)


async def answer(enrollment_id: int, accept: bool, *, base_url: str) -> Answered:
    """The nominee's answer from her link. Accepting again, or declining again, changes nothing; accepting after a
    decline is refused (the seat may have gone to someone else); declining after accepting is a change of mind
    and cancels like any decline."""
    wanted = NomineeAnswer.ACCEPTED if accept else NomineeAnswer.DECLINED
    async with db.transaction():
        row = await enrollment_row(enrollment_id)
        session = await seating.lock_session(int(row["session"]))
        assert session is not None
        row = await enrollment_row(enrollment_id)  # re-read under the session lock
        if session["mode"] != RegistrationMode.NOMINATION:
            raise Conflict("not_a_nomination")
        if row["nominee_answer"] == wanted:
            return Answered(wanted, changed=False)
        if row["nominee_answer"] == NomineeAnswer.DECLINED:
            raise Conflict("nomination_declined")
        if row["status"] not in ANSWERABLE:
            raise Conflict("nomination_not_open")
        now = datetime.now(UTC)
        await Enrollment.update(
            {
                Enrollment.nominee_answer: wanted,
                Enrollment.nominee_answered_at: now,
                Enrollment.updated_at: now,
            }
        ).where(Enrollment.id == enrollment_id)
        changes: dict[str, Any] = {"session": int(row["session"]), "status": row["status"], "by": "nominee"}
        if accept:
            await audit.record(None, "nominee_confirm", "enrollment", enrollment_id, changes)
            return Answered(wanted, changed=True)
        await cancelling.cancel(enrollment_id, base_url=base_url, notice=False)
        recipient = await notify.recipient(enrollment_id)
        if recipient is not None:
            with i18n.language("zh_Hans"):
                body = i18n._(DECLINED, name=recipient.name, title=session["title"])
                subject = i18n._(DECLINED_SUBJECT, title=session["title"])
            await _send(
                recipient,
                MessageKind.CANCELLED,
                subject,
                body,
                base_url,
                f"nomination-declined:{enrollment_id}",
            )
        await audit.record(
            None, "nominee_decline", "enrollment", enrollment_id, {**changes, "seat_freed": True}
        )
        return Answered(wanted, changed=True)

"""The waiting list moving up: a freed seat goes to the next waiting teacher (the freeing county first while it is
under quota), inside the transaction that freed it; organisers and the background sweep fill seats freed otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from training import db
from training.enrollment import mails, seating, sql
from training.enrollment.openings import local_today
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import NotFound
from training.people import service as people
from training.people.tables import Teacher
from training.sms import state as sms_state


async def enrollment_row(enrollment_id: int) -> dict[str, Any]:
    row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise NotFound()
    return row


async def teacher_contact(teacher_id: int) -> tuple[str, str, str]:
    """Name, e-mail and mobile (decrypted only when SMS can be sent)."""
    row = (
        await Teacher.select(Teacher.name, Teacher.email, Teacher.phone_encrypted)
        .where(Teacher.id == teacher_id)
        .first()
    )
    if not row:
        return "", "", ""
    phone = people.reveal_phone(row) if sms_state.enabled() and row["phone_encrypted"] else ""
    return row["name"], row["email"], phone


async def promote(session: dict[str, Any], freed_county: int | None, base_url: str, today: date) -> list[int]:
    """Fill free seats from the waiting list: the freeing county first while it is under quota, then by queue."""
    from training.enrollment.seats import Waiting, promotion_order

    promoted: list[int] = []
    while True:
        rows = await sql.first_waiting_per_county(session["id"])
        if not rows:
            return promoted
        quotas = {q.county_id: q for q in await seating.quota_states(session["id"])}
        freed = quotas.get(freed_county) if freed_county is not None else None
        order = promotion_order(
            [Waiting(int(r["id"]), int(r["county"]), int(r["waitlist_seq"])) for r in rows],
            freed_county,
            freed is not None and freed.has_room,
        )
        chosen = None
        for candidate in order:
            decision = await seating.claim_seat(session, candidate.county_id, today)
            if decision.seat:
                chosen = (candidate, decision)
                break
        if chosen is None:
            return promoted
        candidate, decision = chosen
        status = EnrollmentStatus.PENDING if session["mode"] == "approval" else EnrollmentStatus.CONFIRMED
        now = datetime.now(UTC)
        await Enrollment.update(
            {
                Enrollment.status: status,
                Enrollment.holds_seat: True,
                Enrollment.holds_quota: decision.quota,
                Enrollment.waitlist_seq: None,
                Enrollment.updated_at: now,
                Enrollment.confirmed_at: now if status == EnrollmentStatus.CONFIRMED else None,
            }
        ).where(Enrollment.id == candidate.enrollment_id)
        row = await enrollment_row(candidate.enrollment_id)
        name, email, phone = await teacher_contact(int(row["teacher"]))
        await mails.queue(
            "promotion" if status == EnrollmentStatus.CONFIRMED else "pending",
            mails.MailContext(
                candidate.enrollment_id,
                row["manual_code"],
                name,
                email,
                session,
                base_url,
                phone,
                qr_nonce=row.get("token_nonce") or "",
            ),
        )
        promoted.append(candidate.enrollment_id)


async def fill_free_seats(session_id: int, *, base_url: str) -> list[int]:
    """Promote waiting teachers into seats the rules now allow: after `release_unused_quota_on`, when organisers
    raise the capacity or a quota, or after anything else that freed seats without a cancellation."""
    async with db.transaction():
        session = await seating.lock_session(session_id)
        if session is None:
            raise NotFound()
        if session["mode"] == "nomination" or int(session["seats_taken"]) >= int(session["capacity"]):
            return []
        return await promote(session, None, base_url, local_today())


async def sessions_with_free_seats_and_a_queue() -> list[int]:
    """Published sessions taking registrations with a free seat and someone waiting (the background sweep)."""
    return await sql.sessions_with_free_seats_and_a_queue()

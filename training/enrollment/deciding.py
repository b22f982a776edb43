"""Organisers' decisions on pending registrations and nominations: approve (→ confirmed) or reject, one or many
in one transaction, with a preview for the confirmation step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.enrollment import mails, seating
from training.enrollment.openings import local_today
from training.enrollment.promoting import promote, teacher_contact
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import NotFound
from training.programmes.sessions import get_session


@dataclass(frozen=True, slots=True)
class DecisionResult:
    changed: list[int]
    skipped: list[int]
    promoted: list[int]


# Which statuses each bulk decision changes (the rest of a selection is left as it is).
DECIDABLE: dict[str, tuple[EnrollmentStatus, ...]] = {
    "approve": (EnrollmentStatus.PENDING, EnrollmentStatus.NOMINATED),
    "reject": (EnrollmentStatus.PENDING, EnrollmentStatus.NOMINATED, EnrollmentStatus.WAITLISTED),
}


@dataclass(frozen=True, slots=True)
class DecisionPreview:
    """What a bulk decision would do, for its confirmation step: the selection by status and how many change."""

    by_status: dict[str, int]
    acting: int
    seats_free: int


async def decision_preview(session_id: int, enrollment_ids: list[int], approve: bool) -> DecisionPreview:
    session = await get_session(session_id)
    rows = await Enrollment.select(Enrollment.status).where(
        (Enrollment.session == session_id) & Enrollment.id.is_in(enrollment_ids or [0])
    )
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    statuses = DECIDABLE["approve" if approve else "reject"]
    return DecisionPreview(
        by_status=by_status,
        acting=sum(n for status, n in by_status.items() if status in statuses),
        seats_free=session.seats_left,
    )


async def decide(
    session_id: int, enrollment_ids: list[int], approve: bool, *, actor: Actor | None, base_url: str
) -> DecisionResult:
    """Approve (pending → confirmed, nominated → selected/confirmed) or reject, one or many, in one transaction."""
    changed: list[int] = []
    skipped: list[int] = []
    freed: list[int] = []
    async with db.transaction():
        session = await seating.lock_session(session_id)
        if session is None:
            raise NotFound()
        rows = await Enrollment.select().where(
            (Enrollment.session == session_id) & Enrollment.id.is_in(enrollment_ids or [0])
        )
        now = datetime.now(UTC)
        today = local_today()
        for row in rows:
            status = row["status"]
            if approve and status in DECIDABLE["approve"]:
                await Enrollment.update(
                    {
                        Enrollment.status: EnrollmentStatus.CONFIRMED,
                        Enrollment.confirmed_at: now,
                        Enrollment.updated_at: now,
                        Enrollment.decided_by: actor.user_id if actor else None,
                    }
                ).where(Enrollment.id == row["id"])
                kind = "confirmation"
            elif not approve and status in DECIDABLE["reject"]:
                await Enrollment.update(
                    {
                        Enrollment.status: EnrollmentStatus.REJECTED,
                        Enrollment.holds_seat: False,
                        Enrollment.holds_quota: False,
                        Enrollment.waitlist_seq: None,
                        Enrollment.updated_at: now,
                        Enrollment.decided_by: actor.user_id if actor else None,
                    }
                ).where(Enrollment.id == row["id"])
                await seating.release_seat(
                    session_id,
                    int(row["county"]),
                    holds_seat=row["holds_seat"],
                    holds_quota=row["holds_quota"],
                )
                if row["holds_seat"]:
                    freed.append(int(row["county"]))
                kind = "rejected"
            else:
                skipped.append(int(row["id"]))
                continue
            changed.append(int(row["id"]))
            name, email, phone = await teacher_contact(int(row["teacher"]))
            await mails.queue(
                kind,
                mails.MailContext(
                    int(row["id"]),
                    row["manual_code"],
                    name,
                    email,
                    session,
                    base_url,
                    phone,
                    qr_nonce=row.get("token_nonce") or "",
                ),
            )
        skipped += [i for i in enrollment_ids if i not in {int(r["id"]) for r in rows}]
        promoted: list[int] = []
        if freed and session["mode"] != "nomination":
            for county in freed:
                promoted += await promote(session, county, base_url, today)
        if changed:
            await audit.record(
                actor,
                "approve" if approve else "reject",
                "session",
                session_id,
                {"enrollments": changed, "promoted": promoted},
            )
    return DecisionResult(changed, skipped, promoted)

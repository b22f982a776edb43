"""Cancelling a registration (the teacher herself or an organiser); the seat goes to the next waiting teacher in
the same transaction, and a certificate it carried is revoked with it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.enrollment import seating, sql
from training.enrollment.openings import local_today
from training.enrollment.promoting import enrollment_row, promote
from training.enrollment.states import ACTIVE, EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import Conflict, ValidationFailed
from training.notify import notices

CANCEL_REASON_MAX = 500


async def valid_certificate_serial(enrollment_id: int) -> str | None:
    """The serial of the enrollment's unrevoked certificate, if it holds one."""
    return await sql.valid_certificate_serial(enrollment_id)


async def cancel(
    enrollment_id: int, *, base_url: str, actor: Actor | None = None, reason: str = "", notice: bool = True
) -> list[int]:
    """Cancel (teacher or organiser); the seat goes to the next waiting teacher in the same transaction.
    Returns the ids promoted.

    A certificate and a cancelled registration cannot both stand: a teacher (actor None) cannot cancel while
    her enrollment holds a valid certificate; an organiser can, with a reason, and the certificate is revoked in
    the same transaction (so /verify stops saying "valid" at the moment the registration goes). An organiser may
    also cancel after the session ended (a registration found wrong later); teachers only until its last day.
    notice=False: the caller tells the teacher itself (a nominee's decline)."""
    reason = " ".join(reason.split())
    async with db.transaction():
        row = await enrollment_row(enrollment_id)
        session = await seating.lock_session(int(row["session"]))
        assert session is not None
        row = await enrollment_row(enrollment_id)  # re-read under the session lock
        if row["status"] not in ACTIVE:
            raise Conflict("not_cancellable")
        ended = session["ends_on"] < local_today()
        if ended and actor is None:
            raise Conflict("not_cancellable")
        serial = await valid_certificate_serial(enrollment_id)
        if serial is not None:
            if actor is None:
                raise Conflict("cancel_certified")
            if not reason:
                raise ValidationFailed({"reason": "reason_required"})
            if len(reason) > CANCEL_REASON_MAX:
                raise ValidationFailed({"reason": "too_long"}, {"max": CANCEL_REASON_MAX})
        now = datetime.now(UTC)
        await Enrollment.update(
            {
                Enrollment.status: EnrollmentStatus.CANCELLED,
                Enrollment.holds_seat: False,
                Enrollment.holds_quota: False,
                Enrollment.waitlist_seq: None,
                Enrollment.cancelled_at: now,
                Enrollment.updated_at: now,
                Enrollment.decided_by: actor.user_id if actor else None,
            }
        ).where(Enrollment.id == enrollment_id)
        await seating.release_seat(
            session["id"], int(row["county"]), holds_seat=row["holds_seat"], holds_quota=row["holds_quota"]
        )
        promoted = (
            await promote(session, int(row["county"]), base_url, local_today())
            if row["holds_seat"] and not ended
            else []
        )
        if notice:
            await notices.cancelled(enrollment_id, session, base_url, by_staff=actor is not None)
        if serial is not None:
            revoked = await sql.revoke_certificate(serial, reason, now)
            await audit.record(
                actor,
                "revoke",
                "certificate",
                serial,
                {"reason": reason, "cancelled_enrollment": enrollment_id},
            )
            # explained to the holder like any revocation (certificates.revoking.revoke does the same)
            await notices.certificate_revoked(
                enrollment_id, revoked["session_title"], serial, reason, int(revoked["revision"] or 1)
            )
        if actor is not None:
            changes: dict[str, Any] = {"was": row["status"], "promoted": promoted}
            if reason:
                changes["reason"] = reason
            if serial is not None:
                changes["revoked_certificate"] = serial
            await audit.record(actor, "cancel", "enrollment", enrollment_id, changes)
        return promoted

"""An organiser's exception: a certificate granted (or denied) regardless of hours, with a written reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Column

from training import db
from training.audit.writer import record as audit
from training.certificates.decisions import require_reason
from training.certificates.tables import CertificateException
from training.core.actor import Actor
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import Conflict, NotFound


async def set_exception(enrollment_id: int, granted: bool, reason: str, actor: Actor | None) -> None:
    """Grant or deny a certificate regardless of hours, with a written reason (audited)."""
    reason = require_reason(reason)
    async with db.transaction():
        enrollment = (
            await Enrollment.select(Enrollment.id, Enrollment.status)
            .where(Enrollment.id == enrollment_id)
            .first()
        )
        if enrollment is None:
            raise NotFound()
        if enrollment["status"] != EnrollmentStatus.CONFIRMED:
            raise Conflict("not_confirmed")
        previous = (
            await CertificateException.select()
            .where(CertificateException.enrollment == enrollment_id)
            .first()
        )
        values: dict[Column | str, Any] = {
            CertificateException.granted: granted,
            CertificateException.reason: reason,
            CertificateException.decided_by: actor.user_id if actor else None,
            CertificateException.decided_at: datetime.now(UTC),
        }
        if previous is None:
            await CertificateException.insert(
                CertificateException(
                    enrollment=enrollment_id,
                    granted=granted,
                    reason=reason,
                    decided_by=actor.user_id if actor else None,
                )
            )
        else:
            await CertificateException.update(values).where(CertificateException.enrollment == enrollment_id)
        await audit(
            actor,
            "grant_certificate" if granted else "deny_certificate",
            "enrollment",
            enrollment_id,
            {
                "granted": granted,
                "reason": reason,
                "previous": None
                if previous is None
                else {"granted": previous["granted"], "reason": previous["reason"]},
            },
        )


async def clear_exception(enrollment_id: int, reason: str, actor: Actor | None) -> None:
    reason = require_reason(reason)
    async with db.transaction():
        previous = (
            await CertificateException.select()
            .where(CertificateException.enrollment == enrollment_id)
            .first()
        )
        if previous is None:
            return
        await CertificateException.delete().where(CertificateException.enrollment == enrollment_id)
        await audit(
            actor,
            "clear_certificate_exception",
            "enrollment",
            enrollment_id,
            {"reason": reason, "previous": {"granted": previous["granted"], "reason": previous["reason"]}},
        )

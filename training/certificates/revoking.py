"""Revoking a certificate (the holder is told at once) and re-issuing a revoked one with a fresh snapshot."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from training import db
from training.audit.writer import record as audit
from training.certificates import sql
from training.certificates.candidates import session_eligibility
from training.certificates.decisions import require_reason
from training.certificates.issuing import snapshot
from training.certificates.records import CertificateRecord, certificate_by_serial
from training.certificates.tables import Certificate
from training.core.actor import Actor
from training.enrollment.states import EnrollmentStatus
from training.errors import Conflict


async def revoke(serial: str, reason: str, actor: Actor | None) -> CertificateRecord:
    reason = require_reason(reason)
    async with db.transaction():
        cert = await certificate_by_serial(serial)
        if cert.revoked:
            raise Conflict("certificate_already_revoked")
        now = datetime.now(UTC)
        await Certificate.update({Certificate.revoked_at: now, Certificate.revoke_reason: reason}).where(
            Certificate.id == cert.id
        )
        await audit(actor, "revoke", "certificate", serial, {"reason": reason})
        from training.notify.notices import (
            certificate_revoked,  # notify builds on enrollment, not the reverse
        )

        await certificate_revoked(cert.enrollment, cert.session_title, serial, reason, cert.revision)
    return cert.with_changes(revoked_at=now, revoke_reason=reason)


async def reissue(serial: str, reason: str, actor: Actor | None) -> CertificateRecord:
    """Bring a revoked certificate back with a fresh snapshot (corrected name, hours); the serial stays.

    The new revision is rendered and mailed by the next `issue_pending` (the batch does it at once).
    """
    reason = require_reason(reason)
    cert = await certificate_by_serial(serial)
    state = await session_eligibility(cert.session, cert.enrollment)
    async with db.transaction():
        cert = await certificate_by_serial(serial)
        if not cert.revoked:
            raise Conflict("certificate_not_revoked")
        if state.candidates and state.candidates[0].status != EnrollmentStatus.CONFIRMED:
            raise Conflict("not_confirmed")  # a cancelled registration gets no certificate back
        before = asdict(cert)
        updates: dict[str, Any] = {"revision": cert.revision + 1}
        if state.candidates:
            updates.update(snapshot(state.candidates[0], state.session))
        changes = {k: [before[k], v] for k, v in updates.items() if before[k] != v}
        fresh = cert.with_changes(**updates)
        await sql.write_reissue(
            cert.id,
            fresh.revision,
            (
                fresh.teacher_name,
                fresh.county_name,
                fresh.school_name,
                fresh.session_title,
                fresh.session_dates,
                fresh.hours,
            ),
            datetime.now(UTC),
        )
        await audit(actor, "reissue", "certificate", serial, {"reason": reason, "changes": changes})
    return await certificate_by_serial(serial)

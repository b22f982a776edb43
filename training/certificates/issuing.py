"""Issuing: when a session's certificates may be issued, claiming serials with their snapshots, and recording the
rendered files with each teacher's mail.

The write path: a certificate is claimed in ONE write transaction — a conditional UPDATE bumps
TrainingSession.certificates_issued (the row lock serialises concurrent runs) and the snapshot row is inserted
with that number. A crash before commit rolls both back (no gap); the unique (session, seq) and (enrollment)
indexes make a duplicate impossible. Files are rendered after commit from the snapshot; a second transaction
records the file and queues the mail, guarded by `file_path = ''` so two runs never mail twice.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from training import db
from training.audit.writer import record as audit
from training.certificates import eligibility, sql
from training.certificates.candidates import Candidate
from training.certificates.decisions import require_reason
from training.certificates.formatting import session_dates_text
from training.certificates.jobs import download_url, relative_file, verify_url
from training.certificates.records import CertificateRecord
from training.certificates.serials import make_serial, make_verification_code
from training.certificates.tables import Certificate
from training.certificates.verifying import download_waits
from training.config import Settings
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ as LOCAL
from training.enrollment.tables import Enrollment
from training.errors import Conflict, NotFound, ValidationFailed
from training.programmes.sessions import Session, get_session
from training.programmes.tables import Block

try:  # asyncpg is only present with the PostgreSQL extra
    from asyncpg.exceptions import UniqueViolationError
except ImportError:  # pragma: no cover
    UniqueViolationError = sqlite3.IntegrityError  # type: ignore[misc,assignment]

UNIQUE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, UniqueViolationError)


async def issue_opens_at(session_id: int) -> datetime:
    """When the session's certificates may be issued (the end of its last non-cancelled block, local time)."""
    session = await get_session(session_id)
    blocks = await Block.select(Block.day, Block.ends_at, Block.cancelled).where(Block.session == session_id)
    return eligibility.issue_opens_at(
        [(b["day"], b["ends_at"], bool(b["cancelled"])) for b in blocks], session.ends_on, LOCAL
    )


def format_local(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


async def authorise_issue(
    session_id: int, early_reason: str, actor: Actor | None, now: datetime | None = None
) -> bool:
    """Refuse to issue before the session's last block has ended, unless an organiser gives a written reason
    (an exception, audited with the moment it would otherwise have opened). Returns True for an early issue."""
    opens_at = await issue_opens_at(session_id)
    if (now or datetime.now(UTC)) >= opens_at:
        return False
    if not (early_reason or "").strip():
        raise ValidationFailed(
            {"early_reason": "certificates_too_early"}, {"opens_at": format_local(opens_at)}
        )
    reason = require_reason(early_reason)
    async with db.transaction():
        await audit(
            actor,
            "issue_certificates_early",
            "session",
            session_id,
            {"reason": reason, "last_block_ends": opens_at.isoformat()},
        )
    return True


def snapshot(candidate: Candidate, session: Session) -> dict[str, Any]:
    """What a certificate prints of its holder and session, cut to the columns' lengths."""
    return {
        "teacher_name": candidate.teacher_name[:64],
        "county_name": candidate.county_name[:64],
        "school_name": candidate.school_name[:128],
        "session_title": session.title[:128],
        "session_dates": session_dates_text(session.starts_on, session.ends_on)[:64],
        "hours": round(candidate.decision.attended_hours, 2),
    }


async def claim_certificates(session: Session, candidates: list[Candidate]) -> list[CertificateRecord]:
    """Issue certificates to these candidates: claim consecutive numbers and store the snapshots, atomically.

    Candidates who already have a certificate (another run got there first) are skipped. The first UPDATE takes
    the session row's lock, so every claimer queues behind it and sees the others' committed rows; the second,
    conditional UPDATE moves the counter only if nobody moved it meanwhile.
    """
    if not candidates:
        return []
    try:
        async with db.transaction():
            base = await sql.lock_counter(session.id)
            if base is None:
                raise NotFound()
            ids = [c.enrollment_id for c in candidates]
            taken = {
                r["enrollment"]
                for r in await Certificate.select(Certificate.enrollment).where(
                    Certificate.enrollment.is_in(ids)
                )
            }
            fresh = [c for c in candidates if c.enrollment_id not in taken]
            if not fresh:
                return []
            if not await sql.advance_counter(session.id, len(fresh), base):
                raise Conflict("conflict")
            rows = []
            for offset, candidate in enumerate(fresh, start=1):
                seq = base + offset
                rows.append(
                    {
                        "enrollment": candidate.enrollment_id,
                        "session": session.id,
                        "seq": seq,
                        "serial": make_serial(session.year, session.id, seq),
                        "verification_code": make_verification_code(),
                        "revision": 1,
                        **snapshot(candidate, session),
                    }
                )
            inserted = await Certificate.insert(*[Certificate(**row) for row in rows])
            return [
                CertificateRecord.from_row({**row, "id": result["id"]})
                for row, result in zip(rows, inserted, strict=True)
            ]
    except UNIQUE_ERRORS:
        # Only reachable if something bypassed the lock (e.g. a manual insert): the whole transaction,
        # counter included, rolled back, so no number was lost; the caller's next run picks these up.
        return []


async def claim_certificate(session: Session, candidate: Candidate) -> CertificateRecord | None:
    rows = await claim_certificates(session, [candidate])
    return rows[0] if rows else None


async def pending_renders(session_id: int) -> list[CertificateRecord]:
    """Certificates claimed but not yet rendered and recorded (e.g. after a crash), in serial order."""
    rows = (
        await Certificate.select()
        .where(
            (Certificate.session == session_id)
            & (Certificate.file_path == "")
            & Certificate.revoked_at.is_null()
        )
        .order_by(Certificate.seq)
    )
    return [CertificateRecord.from_row(row) for row in rows]


# A certificate claimed but never rendered is finished by the next run. It is mailed only if this revision was
# issued recently (an interrupted run being resumed); an older one (a record imported from earlier years, a run
# left for weeks) is rendered without a mail: those teachers were told when it was issued.
RESUME_MAIL_WINDOW = timedelta(days=7)


def mails_when_finished(cert: CertificateRecord, now: datetime) -> bool:
    """Pure: does finishing this certificate mail its teacher?"""
    issued = cert.reissued_at or cert.issued_at
    if issued is None:
        return True
    return bool(issued >= now - RESUME_MAIL_WINDOW)


def _mail_text(cert: CertificateRecord, settings: Settings, *, attached: bool = True) -> str:
    link = download_url(settings, cert.serial, cert.enrollment)
    where = "见附件，也可在此下载" if attached else "请在此下载"
    return (
        f"{cert.teacher_name} 老师：\n\n"
        f"您参加的「{cert.session_title}」（{cert.session_dates}）已完成，"
        f"共 {cert.hours:g} 学时。结业证书（编号 {cert.serial}）{where}：\n{link}\n\n"
        f"任何人都可以扫描证书上的二维码，或访问 {verify_url(settings, cert.serial)} 查验证书。\n\n"
        f"{settings.organisation_name}"
    )


async def record_rendered(certs: list[CertificateRecord], settings: Settings) -> int:
    """Record the rendered files and queue each teacher's mail, in one transaction; returns how many were new.

    `file_path = ''` and the revision guard the update: if another run already recorded this revision, nothing
    happens here and no second mail is queued (the dedupe key is a second safety net).
    """
    from training.mail.outbox import Attachment, enqueue

    recorded = 0
    now = datetime.now(UTC)
    emails = {
        r["id"]: r["teacher.email"] or ""
        for r in await Enrollment.select(Enrollment.id, Enrollment.teacher.email).where(
            Enrollment.id.is_in([c.enrollment for c in certs] or [0])
        )
    }
    # a download held back (the evaluation survey first, training/survey): the mail carries the link, not the PDF
    held_back = {
        c.enrollment for c in certs if emails.get(c.enrollment) and await download_waits(c.enrollment)
    }
    async with db.transaction():
        for cert in certs:
            pdf_rel = relative_file(cert, "pdf")
            if not await sql.mark_rendered(cert.id, cert.revision, pdf_rel):
                continue
            recorded += 1
            address = emails.get(cert.enrollment, "")
            if not address or not mails_when_finished(cert, now):
                continue
            attached = cert.enrollment not in held_back
            await enqueue(
                address,
                f"结业证书 {cert.session_title}",
                _mail_text(cert, settings, attached=attached),
                attachments=[
                    Attachment(
                        filename=f"结业证书-{cert.serial}.pdf",
                        content_type="application/pdf",
                        data=(settings.data_dir / pdf_rel).read_bytes(),
                    )
                ]
                if attached
                else [],
                kind="certificate",
                dedupe_key=f"certificate:{cert.serial}:r{cert.revision}",
                enrollment_id=cert.enrollment,
            )
    return recorded

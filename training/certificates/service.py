"""Certificate use-cases: eligibility per session, exceptions, issuing (claim a serial), revoke, re-issue, verify.

The write path: a certificate is claimed in ONE write transaction — a conditional UPDATE bumps
TrainingSession.certificates_issued (the row lock serialises concurrent runs) and the snapshot row is inserted
with that number. A crash before commit rolls both back (no gap); the unique (session, seq) and (enrollment)
indexes make a duplicate impossible. Files are rendered after commit from the snapshot; a second transaction
records the file and queues the mail, guarded by `file_path = ''` so two runs never mail twice.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from piccolo.columns import Column

from training import db, keys
from training.audit import service as audit_service
from training.audit.tables import AuditEntry
from training.certificates import eligibility
from training.certificates.render import (
    Artwork,
    CertificateData,
    RenderJob,
    missing_glyphs,
    session_dates_text,
)
from training.certificates.serials import make_serial, make_verification_code
from training.certificates.tables import Certificate, CertificateException
from training.config import Settings
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ as LOCAL
from training.core.masking import mask_name
from training.enrollment.links import make_link_token, read_link_token
from training.enrollment.tables import Enrollment
from training.errors import Conflict, NotFound, ValidationFailed
from training.i18n import N_, register_messages
from training.programmes.tables import Block, Programme, TrainingSession

REASON_MAX = 1000

register_messages(
    {
        "reason_required": N_("Please write down the reason."),
        "certificate_revoked": N_("This certificate has been revoked."),
        "certificate_not_revoked": N_("Only a revoked certificate can be re-issued."),
        "certificate_already_revoked": N_("This certificate is already revoked."),
        "not_confirmed": N_("Only confirmed participants can receive a certificate."),
        "artwork_too_big": N_("The image is too large (at most 8 MB)."),
        "artwork_bad_type": N_("Upload a PNG, JPEG or WebP image."),
        "artwork_too_many_pixels": N_(
            "The image has too many pixels (at most 40 megapixels); please scale it down."
        ),
        "artwork_too_small": N_("The image is too small (at least 64 pixels on each side)."),
        "certificates_too_early": N_(
            "The session's last block ends at {opens_at}: certificates can be issued after that, "
            "or now as an exception with a written reason."
        ),
    }
)

try:  # asyncpg is only present with the PostgreSQL extra
    from asyncpg.exceptions import UniqueViolationError
except ImportError:  # pragma: no cover
    UniqueViolationError = sqlite3.IntegrityError  # type: ignore[misc,assignment]

UNIQUE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, UniqueViolationError)


# ---------------------------------------------------------------------------------------------------------------
# Eligibility


@dataclass
class Candidate:
    """One confirmed participant of a session, with their hours, decision and certificate (if any)."""

    enrollment_id: int
    teacher_id: int
    teacher_name: str
    email: str
    county_name: str
    school_name: str
    decision: eligibility.Decision
    exception_reason: str = ""
    certificate: dict[str, Any] | None = None
    missing_glyphs: list[str] = field(default_factory=list)
    status: str = "confirmed"  # the enrollment's (a single-enrollment look-up may be cancelled)

    @property
    def masked_name(self) -> str:
        return mask_name(self.teacher_name)


@dataclass
class SessionEligibility:
    session: dict[str, Any]
    programme: dict[str, Any]
    total_hours: float
    threshold: float
    candidates: list[Candidate]

    def by_status(self, *statuses: str) -> list[Candidate]:
        return [c for c in self.candidates if c.decision.status in statuses]

    @property
    def eligible(self) -> list[Candidate]:
        return [c for c in self.candidates if c.decision.eligible]

    @property
    def issued(self) -> list[Candidate]:
        return [c for c in self.candidates if c.certificate is not None]


async def session_and_programme(session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    if session is None:
        raise NotFound()
    programme = await Programme.select().where(Programme.id == session["programme"]).first()
    assert programme is not None
    return session, programme


async def attended_hours_by_enrollment(session_id: int) -> dict[int, float]:
    rows = await db.raw(
        'SELECT ci."enrollment" AS enrollment, SUM(b."hours") AS hours FROM "check_in" ci '
        'JOIN "block" b ON b."id" = ci."block" '
        'WHERE b."session" = {} AND b."cancelled" = {} GROUP BY ci."enrollment"',
        session_id,
        False,
    )
    return {int(r["enrollment"]): float(r["hours"] or 0.0) for r in rows}


async def session_eligibility(session_id: int, enrollment_id: int | None = None) -> SessionEligibility:
    """Every confirmed participant (or just one) with attended hours and the decision."""
    session, programme = await session_and_programme(session_id)
    blocks = await Block.select(Block.hours, Block.cancelled).where(Block.session == session_id)
    total = sum(float(b["hours"]) for b in blocks if not b["cancelled"])
    threshold = eligibility.threshold_hours(session["completion_hours"], session["completion_percent"], total)
    query = Enrollment.select(
        Enrollment.id,
        Enrollment.teacher,
        Enrollment.status,
        Enrollment.teacher_name,  # the enrollment's snapshot: the profile when she enrolled, not today's
        Enrollment.school_name,
        Enrollment.teacher.name,
        Enrollment.teacher.email,
        Enrollment.county.name,
        Enrollment.school.name,
    ).where(Enrollment.session == session_id)
    if enrollment_id is not None:
        # One enrollment, whatever its status: its certificate page stays open after a cancellation or erasure.
        query = query.where(Enrollment.id == enrollment_id)
    else:
        query = query.where(Enrollment.status == "confirmed")
    enrollments = await query.order_by(Enrollment.county).order_by(Enrollment.id)
    hours = await attended_hours_by_enrollment(session_id)
    ids = [e["id"] for e in enrollments]
    exceptions = {
        x["enrollment"]: x
        for x in (
            await CertificateException.select().where(CertificateException.enrollment.is_in(ids))
            if ids
            else []
        )
    }
    certificates = {
        c["enrollment"]: c
        for c in await Certificate.select(
            Certificate.id,
            Certificate.enrollment,
            Certificate.serial,
            Certificate.seq,
            Certificate.revoked_at,
            Certificate.file_path,
            Certificate.revision,
            Certificate.hours,
        ).where(Certificate.session == session_id)
    }
    candidates = []
    for e in enrollments:
        exception = exceptions.get(e["id"])
        decision = eligibility.decide(
            hours.get(e["id"], 0.0), threshold, None if exception is None else bool(exception["granted"])
        )
        candidates.append(
            Candidate(
                enrollment_id=e["id"],
                teacher_id=e["teacher"],
                teacher_name=e["teacher_name"] or e["teacher.name"],
                email=e["teacher.email"] or "",
                county_name=e["county.name"] or "",
                school_name=e["school_name"] or e["school.name"] or "",
                decision=decision,
                exception_reason=exception["reason"] if exception else "",
                certificate=certificates.get(e["id"]),
                missing_glyphs=missing_glyphs(e["teacher_name"] or e["teacher.name"]),
                status=e["status"],
            )
        )
    return SessionEligibility(session, programme, total, threshold, candidates)


# ---------------------------------------------------------------------------------------------------------------
# Audit


async def _audit(actor: Actor | None, action: str, entity: str, entity_id: Any, changes: dict) -> None:
    await AuditEntry.insert(
        AuditEntry(
            actor_id=actor.user_id if actor else None,
            actor_name=actor.display_name if actor else audit_service.anonymous_actor_name(),
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            changes=changes,
        )
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "reason_required"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": "too_long"}, {"max": REASON_MAX})
    return reason


async def set_exception(enrollment_id: int, granted: bool, reason: str, actor: Actor | None) -> None:
    """Grant or deny a certificate regardless of hours, with a written reason (audited)."""
    reason = _reason(reason)
    async with db.write_transaction():
        enrollment = (
            await Enrollment.select(Enrollment.id, Enrollment.status)
            .where(Enrollment.id == enrollment_id)
            .first()
        )
        if enrollment is None:
            raise NotFound()
        if enrollment["status"] != "confirmed":
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
        await _audit(
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
    reason = _reason(reason)
    async with db.write_transaction():
        previous = (
            await CertificateException.select()
            .where(CertificateException.enrollment == enrollment_id)
            .first()
        )
        if previous is None:
            return
        await CertificateException.delete().where(CertificateException.enrollment == enrollment_id)
        await _audit(
            actor,
            "clear_certificate_exception",
            "enrollment",
            enrollment_id,
            {"reason": reason, "previous": {"granted": previous["granted"], "reason": previous["reason"]}},
        )


# ---------------------------------------------------------------------------------------------------------------
# Issuing


async def issue_opens_at(session_id: int) -> datetime:
    """When the session's certificates may be issued (the end of its last non-cancelled block, local time)."""
    session, _ = await session_and_programme(session_id)
    blocks = await Block.select(Block.day, Block.ends_at, Block.cancelled).where(Block.session == session_id)
    return eligibility.issue_opens_at(
        [(b["day"], b["ends_at"], bool(b["cancelled"])) for b in blocks], session["ends_on"], LOCAL
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
    reason = _reason(early_reason)
    async with db.write_transaction():
        await _audit(
            actor,
            "issue_certificates_early",
            "session",
            session_id,
            {"reason": reason, "last_block_ends": opens_at.isoformat()},
        )
    return True


def _snapshot(candidate: Candidate, session: dict[str, Any]) -> dict[str, Any]:
    return {
        "teacher_name": candidate.teacher_name[:64],
        "county_name": candidate.county_name[:64],
        "school_name": candidate.school_name[:128],
        "session_title": session["title"][:128],
        "session_dates": session_dates_text(session["starts_on"], session["ends_on"])[:64],
        "hours": round(candidate.decision.attended_hours, 2),
    }


async def claim_certificates(session: dict[str, Any], candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Issue certificates to these candidates: claim consecutive numbers and store the snapshots, atomically.

    Candidates who already have a certificate (another run got there first) are skipped. The first UPDATE takes
    the session row's lock, so every claimer queues behind it and sees the others' committed rows; the second,
    conditional UPDATE moves the counter only if nobody moved it meanwhile.
    """
    if not candidates:
        return []
    try:
        async with db.write_transaction():
            locked = await db.raw(
                'UPDATE "training_session" SET "certificates_issued" = "certificates_issued" '
                'WHERE "id" = {} RETURNING "certificates_issued"',
                session["id"],
            )
            if not locked:
                raise NotFound()
            base = int(locked[0]["certificates_issued"])
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
            moved = await db.raw(
                'UPDATE "training_session" SET "certificates_issued" = "certificates_issued" + {} '
                'WHERE "id" = {} AND "certificates_issued" = {} RETURNING "certificates_issued"',
                len(fresh),
                session["id"],
                base,
            )
            if not moved:
                raise Conflict("conflict")
            rows = []
            for offset, candidate in enumerate(fresh, start=1):
                seq = base + offset
                rows.append(
                    {
                        "enrollment": candidate.enrollment_id,
                        "session": session["id"],
                        "seq": seq,
                        "serial": make_serial(session["year"], session["id"], seq),
                        "verification_code": make_verification_code(),
                        "revision": 1,
                        **_snapshot(candidate, session),
                    }
                )
            inserted = await Certificate.insert(*[Certificate(**row) for row in rows])
            for row, result in zip(rows, inserted, strict=True):
                row["id"] = int(result["id"])
            return rows
    except UNIQUE_ERRORS:
        # Only reachable if something bypassed the lock (e.g. a manual insert): the whole transaction,
        # counter included, rolled back, so no number was lost; the caller's next run picks these up.
        return []


async def claim_certificate(session: dict[str, Any], candidate: Candidate) -> dict[str, Any] | None:
    rows = await claim_certificates(session, [candidate])
    return rows[0] if rows else None


def artwork_for(programme: dict[str, Any], settings: Settings) -> Artwork:
    def resolve(stored: str) -> str:
        return str(settings.data_dir / stored) if stored else ""

    return Artwork(
        layout=programme["certificate_layout"]
        if programme["certificate_layout"] in ("portrait",)
        else "landscape",
        variant="exchange" if programme["kind"] == "exchange" else "summer",
        programme_name=programme["name"],
        organisation=settings.organisation_name,
        background_path=resolve(programme["certificate_background"]),
        seal_path=resolve(programme["certificate_seal"]),
    )


def verify_url(settings: Settings, serial: str) -> str:
    return f"{settings.base_url}/verify/{serial}"


def download_url(settings: Settings, serial: str, enrollment_id: int) -> str:
    """The teacher's signed link to their PDF (no password; the token names the enrollment)."""
    token = make_link_token(keys.current().teacher_link, enrollment_id)
    return f"{settings.base_url}/certificates/{serial}.pdf?t={token}"


def relative_file(cert: dict[str, Any], suffix: str) -> str:
    return f"certificates/{cert['session']}/{cert['serial']}-r{cert['revision']}.{suffix}"


def render_job_for(
    cert: dict[str, Any], artwork: Artwork, settings: Settings, *, preview: bool = False
) -> RenderJob:
    issued_at = cert.get("issued_at") or datetime.now(UTC)
    data = CertificateData(
        serial=cert["serial"],
        verification_code=cert["verification_code"],
        teacher_name=cert["teacher_name"],
        county_name=cert["county_name"],
        school_name=cert["school_name"],
        session_title=cert["session_title"],
        session_dates=cert["session_dates"],
        hours=float(cert["hours"]),
        issued_on=_local_date(cert.get("reissued_at") or issued_at),
        verify_url=verify_url(settings, cert["serial"]),
    )
    return RenderJob(
        data=data,
        artwork=artwork,
        pdf_path=str(settings.data_dir / relative_file(cert, "pdf")),
        png_path=str(settings.data_dir / relative_file(cert, "png")) if preview else "",
    )


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL).date()


async def pending_renders(session_id: int) -> list[dict[str, Any]]:
    """Certificates claimed but not yet rendered and recorded (e.g. after a crash), in serial order."""
    return list(
        await Certificate.select()
        .where(
            (Certificate.session == session_id)
            & (Certificate.file_path == "")
            & Certificate.revoked_at.is_null()
        )
        .order_by(Certificate.seq)
    )


# A certificate claimed but never rendered is finished by the next run. It is mailed only if this revision was
# issued recently (an interrupted run being resumed); an older one (a record imported from earlier years, a run
# left for weeks) is rendered without a mail: those teachers were told when it was issued.
RESUME_MAIL_WINDOW = timedelta(days=7)


def mails_when_finished(cert: dict[str, Any], now: datetime) -> bool:
    """Pure: does finishing this certificate mail its teacher?"""
    issued = cert.get("reissued_at") or cert.get("issued_at")
    if issued is None:
        return True
    if isinstance(issued, str):
        issued = datetime.fromisoformat(issued)
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=UTC)
    return bool(issued >= now - RESUME_MAIL_WINDOW)


async def record_rendered(certs: list[dict[str, Any]], settings: Settings) -> int:
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
            Enrollment.id.is_in([c["enrollment"] for c in certs] or [0])
        )
    }
    async with db.write_transaction():
        for cert in certs:
            pdf_rel = relative_file(cert, "pdf")
            rows = await db.raw(
                'UPDATE "certificate" SET "file_path" = {} '
                'WHERE "id" = {} AND "revision" = {} AND "file_path" = {} RETURNING "enrollment"',
                pdf_rel,
                cert["id"],
                cert["revision"],
                "",
            )
            if not rows:
                continue
            recorded += 1
            address = emails.get(cert["enrollment"], "")
            if not address or not mails_when_finished(cert, now):
                continue
            link = download_url(settings, cert["serial"], cert["enrollment"])
            text = (
                f"{cert['teacher_name']} 老师：\n\n"
                f"您参加的「{cert['session_title']}」（{cert['session_dates']}）已完成，"
                f"共 {cert['hours']:g} 学时。结业证书（编号 {cert['serial']}）见附件，也可在此下载：\n{link}\n\n"
                f"任何人都可以扫描证书上的二维码，或访问 {verify_url(settings, cert['serial'])} 查验证书。\n\n"
                f"{settings.organisation_name}"
            )
            await enqueue(
                address,
                f"结业证书 {cert['session_title']}",
                text,
                attachments=[
                    Attachment(
                        filename=f"结业证书-{cert['serial']}.pdf",
                        content_type="application/pdf",
                        data=(settings.data_dir / pdf_rel).read_bytes(),
                    )
                ],
                kind="certificate",
                dedupe_key=f"certificate:{cert['serial']}:r{cert['revision']}",
                enrollment_id=cert["enrollment"],
            )
    return recorded


# ---------------------------------------------------------------------------------------------------------------
# Revoke and re-issue


async def _certificate_by_serial(serial: str) -> dict[str, Any]:
    cert = await Certificate.select().where(Certificate.serial == serial).first()
    if cert is None:
        raise NotFound()
    return cert


async def revoke(serial: str, reason: str, actor: Actor | None) -> dict[str, Any]:
    reason = _reason(reason)
    async with db.write_transaction():
        cert = await _certificate_by_serial(serial)
        if cert["revoked_at"] is not None:
            raise Conflict("certificate_already_revoked")
        now = datetime.now(UTC)
        await Certificate.update({Certificate.revoked_at: now, Certificate.revoke_reason: reason}).where(
            Certificate.id == cert["id"]
        )
        await _audit(actor, "revoke", "certificate", serial, {"reason": reason})
        from training.notify.notices import (
            certificate_revoked,  # notify builds on enrollment, not the reverse
        )

        await certificate_revoked(
            int(cert["enrollment"]), cert["session_title"], serial, reason, int(cert.get("revision") or 1)
        )
    return {**cert, "revoked_at": now, "revoke_reason": reason}


async def reissue(serial: str, reason: str, actor: Actor | None) -> dict[str, Any]:
    """Bring a revoked certificate back with a fresh snapshot (corrected name, hours); the serial stays.

    The new revision is rendered and mailed by the next `issue_pending` (the batch does it at once).
    """
    reason = _reason(reason)
    cert = await _certificate_by_serial(serial)
    state = await session_eligibility(cert["session"], cert["enrollment"])
    async with db.write_transaction():
        cert = await _certificate_by_serial(serial)
        if cert["revoked_at"] is None:
            raise Conflict("certificate_not_revoked")
        if state.candidates and state.candidates[0].status != "confirmed":
            raise Conflict("not_confirmed")  # a cancelled registration gets no certificate back
        updates: dict[str, Any] = {"revision": cert["revision"] + 1}
        if state.candidates:
            updates.update(_snapshot(state.candidates[0], state.session))
        changes = {k: [cert[k], v] for k, v in updates.items() if cert.get(k) != v}
        await db.raw(
            'UPDATE "certificate" SET "revision" = {}, "teacher_name" = {}, "county_name" = {}, '
            '"school_name" = {}, "session_title" = {}, "session_dates" = {}, "hours" = {}, '
            '"revoked_at" = NULL, "revoke_reason" = {}, "reissued_at" = {}, "file_path" = {} WHERE "id" = {}',
            updates["revision"],
            updates.get("teacher_name", cert["teacher_name"]),
            updates.get("county_name", cert["county_name"]),
            updates.get("school_name", cert["school_name"]),
            updates.get("session_title", cert["session_title"]),
            updates.get("session_dates", cert["session_dates"]),
            updates.get("hours", cert["hours"]),
            "",
            datetime.now(UTC),
            "",
            cert["id"],
        )
        await _audit(actor, "reissue", "certificate", serial, {"reason": reason, "changes": changes})
    return await _certificate_by_serial(serial)


# ---------------------------------------------------------------------------------------------------------------
# Public verification and teacher download


@dataclass(frozen=True)
class Verification:
    """What the public may learn about a serial: nothing beyond this."""

    status: str  # valid / revoked / unknown
    serial: str
    masked_name: str = ""
    session_title: str = ""
    session_dates: str = ""
    hours: float | None = None

    def to_json(self) -> dict[str, Any]:
        if self.status == "unknown":
            return {"status": "unknown", "serial": self.serial}
        return {
            "status": self.status,
            "serial": self.serial,
            "name": self.masked_name,
            "session": self.session_title,
            "dates": self.session_dates,
            "hours": self.hours,
        }


# Other documents /verify confirms by serial (the 学时证明 of training/ledger), registered by their domain so
# that certificates need not know them.
OTHER_DOCUMENTS: list[Callable[[str], Awaitable[Verification | None]]] = []


async def verify(serial: str) -> Verification:
    serial = unicodedata.normalize("NFKC", serial).strip()[:32]  # typed on a phone in full-width mode
    cert = (
        await Certificate.select(
            Certificate.serial,
            Certificate.teacher_name,
            Certificate.session_title,
            Certificate.session_dates,
            Certificate.hours,
            Certificate.revoked_at,
        )
        .where(Certificate.serial == serial)
        .first()
    )
    if cert is None:
        for other in OTHER_DOCUMENTS:
            found = await other(serial)
            if found is not None:
                return found
        return Verification("unknown", serial)
    return Verification(
        status="revoked" if cert["revoked_at"] is not None else "valid",
        serial=cert["serial"],
        masked_name=mask_name(cert["teacher_name"]),
        session_title=cert["session_title"],
        session_dates=cert["session_dates"],
        hours=float(cert["hours"]),
    )


async def certificate_for_download(serial: str, token: str) -> dict[str, Any]:
    """The certificate a signed teacher link points at; NotFound for a wrong/expired token or serial."""
    enrollment_id = read_link_token(keys.current().teacher_link, token)
    if enrollment_id is None:
        raise NotFound()
    cert = await Certificate.select().where(Certificate.serial == serial).first()
    if cert is None or cert["enrollment"] != enrollment_id:
        raise NotFound()
    owner = await Enrollment.select(Enrollment.teacher.erased).where(Enrollment.id == enrollment_id).first()
    if owner is None or owner["teacher.erased"]:  # her link went with her personal data
        raise NotFound()
    if cert["revoked_at"] is not None:
        raise Conflict("certificate_revoked")
    return cert


async def certificate_by_serial(serial: str) -> dict[str, Any]:
    return await _certificate_by_serial(serial)


async def certificates_of_enrollment(enrollment_id: int) -> list[dict[str, Any]]:
    """For teacher self-service: the (non-revoked) certificate of an enrollment, if any."""
    return list(
        await Certificate.select(Certificate.serial, Certificate.session_title, Certificate.hours).where(
            (Certificate.enrollment == enrollment_id) & Certificate.revoked_at.is_null()
        )
    )


# ---------------------------------------------------------------------------------------------------------------
# Programme artwork


async def store_artwork(
    programme_id: int, kind: str, payload: bytes, settings: Settings, actor: Actor | None
) -> str:
    """Validate and store an organiser's background or seal image for a programme (audited)."""
    import hashlib

    from training.certificates.render import ArtworkError, normalise_upload

    if kind not in ("background", "seal"):
        raise ValidationFailed({"kind": "invalid_choice"})
    try:
        png = normalise_upload(payload, kind)
    except ArtworkError as exc:
        raise ValidationFailed({kind: exc.code}) from None
    programme = await Programme.select(Programme.id).where(Programme.id == programme_id).first()
    if programme is None:
        raise NotFound()
    # The content hash in the name keeps per-process render caches honest when an image is replaced.
    relative = f"programmes/{programme_id}/{kind}-{hashlib.sha256(png).hexdigest()[:12]}.png"
    target = settings.data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    column = Programme.certificate_background if kind == "background" else Programme.certificate_seal
    async with db.write_transaction():
        await Programme.update({column: relative}).where(Programme.id == programme_id)
        await _audit(actor, "update", "programme", programme_id, {f"certificate_{kind}": relative})
    return relative


async def remove_artwork(programme_id: int, kind: str, actor: Actor | None) -> None:
    column = Programme.certificate_background if kind == "background" else Programme.certificate_seal
    async with db.write_transaction():
        await Programme.update({column: ""}).where(Programme.id == programme_id)
        await _audit(actor, "update", "programme", programme_id, {f"certificate_{kind}": ""})


def file_of(cert: dict[str, Any], settings: Settings, suffix: str = "pdf") -> Path:
    return settings.data_dir / relative_file(cert, suffix)


async def set_layout(programme_id: int, layout: str, actor: Actor | None) -> None:
    if layout not in ("landscape", "portrait"):
        raise ValidationFailed({"layout": "invalid_choice"})
    async with db.write_transaction():
        programme = (
            await Programme.select(Programme.certificate_layout).where(Programme.id == programme_id).first()
        )
        if programme is None:
            raise NotFound()
        await Programme.update({Programme.certificate_layout: layout}).where(Programme.id == programme_id)
        await _audit(
            actor,
            "update",
            "programme",
            programme_id,
            {"certificate_layout": [programme["certificate_layout"], layout]},
        )


async def sample_preview(programme_id: int, settings: Settings) -> bytes:
    """A PNG preview of the programme's certificate with sample data, to check layout and artwork before issuing."""
    import asyncio

    from training.certificates.render import draw_certificate, encode_preview

    programme = await Programme.select().where(Programme.id == programme_id).first()
    if programme is None:
        raise NotFound()
    session = (
        await TrainingSession.select(
            TrainingSession.title, TrainingSession.starts_on, TrainingSession.ends_on
        )
        .where(TrainingSession.programme == programme_id)
        .order_by(TrainingSession.starts_on, ascending=False)
        .first()
    )
    data = CertificateData(
        serial="2019-0000-0000",
        verification_code="SAMPLE23",
        teacher_name="张三梅",
        county_name="剑阁县",
        school_name="剑阁县实验小学",
        session_title=session["title"] if session else programme["name"],
        session_dates=session_dates_text(session["starts_on"], session["ends_on"])
        if session
        else "2019年7月15日至7月18日",
        hours=24.0,
        issued_on=datetime.now(LOCAL).date(),
        verify_url=verify_url(settings, "2019-0000-0000"),
    )
    artwork = artwork_for(programme, settings)
    return await asyncio.to_thread(lambda: encode_preview(draw_certificate(data, artwork)))

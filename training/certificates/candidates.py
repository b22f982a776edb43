"""Who in a session is owed a certificate: every confirmed participant with attended hours, the organiser's
exception if any, the verdict (training.certificates.eligibility) and the certificate already issued."""

from __future__ import annotations

from dataclasses import dataclass, field

from training.certificates import eligibility, sql
from training.certificates.fonts import missing_glyphs
from training.certificates.records import CertificateRecord
from training.certificates.states import Verdict
from training.certificates.tables import Certificate, CertificateException
from training.core.masking import mask_name
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.programmes.models import ProgrammeInfo
from training.programmes.service import get_programme
from training.programmes.sessions import Session, get_session
from training.programmes.tables import Block


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
    certificate: CertificateRecord | None = None
    missing_glyphs: list[str] = field(default_factory=list)
    status: EnrollmentStatus = EnrollmentStatus.CONFIRMED  # a single-enrollment look-up may be cancelled

    @property
    def masked_name(self) -> str:
        return mask_name(self.teacher_name)


@dataclass
class SessionEligibility:
    session: Session
    programme: ProgrammeInfo
    total_hours: float
    threshold: float
    candidates: list[Candidate]

    def by_status(self, *statuses: Verdict | str) -> list[Candidate]:
        return [c for c in self.candidates if c.decision.status in statuses]

    @property
    def eligible(self) -> list[Candidate]:
        return [c for c in self.candidates if c.decision.eligible]

    @property
    def issued(self) -> list[Candidate]:
        return [c for c in self.candidates if c.certificate is not None]


async def session_and_programme(session_id: int) -> tuple[Session, ProgrammeInfo]:
    """The session (NotFound if none) and its programme (layout, artwork, kind)."""
    session = await get_session(session_id)
    return session, await get_programme(session.programme)


async def attended_hours_by_enrollment(session_id: int) -> dict[int, float]:
    """Hours of the non-cancelled blocks each enrollment attended (the `attendance` view: check-ins not voided,
    late marks, excused marks when the session's rule counts them): the count certificates, the eligibility
    page and the ledger share."""
    return await sql.attended_hours(session_id)


async def session_eligibility(session_id: int, enrollment_id: int | None = None) -> SessionEligibility:
    """Every confirmed participant (or just one) with attended hours and the decision."""
    session, programme = await session_and_programme(session_id)
    blocks = await Block.select(Block.hours, Block.cancelled).where(Block.session == session_id)
    total = sum(float(b["hours"]) for b in blocks if not b["cancelled"])
    threshold = eligibility.threshold_hours(session.completion_hours, session.completion_percent, total)
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
        query = query.where(Enrollment.status == EnrollmentStatus.CONFIRMED)
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
        int(c["enrollment"]): CertificateRecord.from_row(c)
        for c in await Certificate.select().where(Certificate.session == session_id)
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
                status=EnrollmentStatus(e["status"]),
            )
        )
    return SessionEligibility(session, programme, total, threshold, candidates)

"""Jiangsu exchange cohorts: county coordinators nominate within their quota before the deadline (a teacher on
file in one click, or a new one through the form); the nominee is told and answers (nominee_answers.py);
organisers select (→ confirmed, confirmation mail with the QR) or reject (service.decide)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from training.audit import writer as audit
from training.core.actor import Actor
from training.enrollment import answers, openings, service
from training.enrollment.nominee_answers import tell_nominee
from training.enrollment.openings import CountySeats
from training.enrollment.rules import validate
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import Conflict, Forbidden, NotFound, ValidationFailed
from training.people import service as people
from training.people.states import Origin
from training.people.tables import County, Teacher
from training.programmes import sessions
from training.programmes.sessions import Session
from training.programmes.states import RegistrationMode, SessionStatus


def nomination_problem(session: Session, now: datetime) -> str | None:
    if session.mode != RegistrationMode.NOMINATION or session.status != SessionStatus.PUBLISHED:
        return "nomination_unavailable"
    if session.nomination_deadline is not None and now >= session.nomination_deadline:
        return "nomination_closed"
    return None


@dataclass(frozen=True, slots=True)
class NominationSession:
    """A cohort taking nominations as the nominations page shows it: why it cannot take one now (None: it can)
    and the seats per county (a coordinator sees her own county only)."""

    session: Session
    problem: str | None
    counties: list[CountySeats]


async def nomination_sessions(
    *, county_id: int | None = None, now: datetime | None = None
) -> list[NominationSession]:
    """Published nomination sessions; county_id: a coordinator's county (only its seats)."""
    now = now or datetime.now(UTC)
    published = await sessions.list_sessions(status=SessionStatus.PUBLISHED, limit=1000)
    result = []
    for session in sorted(published.items, key=lambda s: (s.starts_on, s.id)):
        if session.mode != RegistrationMode.NOMINATION:
            continue
        counties = await openings.seats_by_county(session, now)
        result.append(
            NominationSession(
                session,
                nomination_problem(session, now),
                [c for c in counties if county_id is None or c.id == county_id],
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class Nominated:
    """A nomination made (or found: `outcome.created` False) and the channels its notice went on."""

    outcome: service.Outcome
    channels: tuple[str, ...] = field(default=())


async def nominate(
    session_id: int,
    values: dict[str, Any],
    *,
    coordinator_county: int | None,
    actor: Actor,
    base_url: str,
    now: datetime | None = None,
    override_reason: str = "",
    picked: int | None = None,
    with_answers: bool = False,
) -> Nominated:
    """coordinator_county: the nominating coordinator's county (None for an organiser, who may nominate anyone
    eligible). The nomination holds a seat of the county's quota until an organiser decides or she declines.
    picked: the teacher's id when she was picked from the search (kept in the audit entry).
    with_answers: the values also answer the session's nomination questions (the new-teacher form).

    The session's status and deadline bind every role; an organiser may nominate past them with a written
    reason (`override_reason`), which the audit entry keeps. The nominee's notice and the audit entry are
    written in the nomination's transaction."""
    now = now or datetime.now(UTC)
    session = await sessions.get_session(session_id)
    problem = nomination_problem(session, now)
    override_reason = override_reason.strip()[:500]
    if problem and (coordinator_county is not None or not override_reason):
        raise Conflict(problem)
    eligible = {c.id for c in await service.eligible_counties(session_id)}
    values = {k: str(v) if v is not None else "" for k, v in values.items()}
    if coordinator_county is not None:
        if values.get("county") and values["county"] != str(coordinator_county):
            raise Forbidden("county_not_yours")
        values["county"] = str(coordinator_county)
    reg, errors = validate(
        values, today=service.local_today(now), eligible_county_ids=eligible, require_consent=False
    )
    # with_answers: `values` carry the nomination form's answers to the session's questions (teacher and
    # coordinator questions, required ones enforced); a one-click nomination gives none (answered afterwards on
    # the answers form, training/enrollment/answers_web.py).
    given = await answers.nomination_answers(session_id, values) if with_answers else None
    if given is not None and given.errors:
        errors = {**errors, **given.errors}
    if errors or reg is None:
        raise ValidationFailed(errors)
    county = await County.select(County.name).where(County.id == reg.county_id).first()
    told: list[str] = []

    async def tell_and_record(enrollment_id: int) -> None:
        session_row = {
            "title": session.title,
            "starts_on": session.starts_on,
            "ends_on": session.ends_on,
            "host_city": session.host_city,
        }
        told.extend(
            await tell_nominee(enrollment_id, session_row, county["name"] if county else "", base_url)
        )
        changes: dict[str, Any] = {"session": session_id, "county": reg.county_id, "told": list(told)}
        if picked is not None:
            changes["teacher"] = picked
        if problem:
            changes["override"] = {"problem": problem, "reason": override_reason}
        await audit.record(actor, "nominate", "enrollment", enrollment_id, changes)

    outcome = await service.enroll(
        session,
        reg,
        base_url=base_url,
        source=Origin.NOMINATION,
        nominated_by=actor,
        now=now,
        coordinator_county=coordinator_county,
        on_created=tell_and_record,
        given_answers=given.given if given is not None else None,
    )
    return Nominated(outcome, tuple(told) if outcome.created else ())


async def values_of_teacher(teacher_id: int, *, coordinator_county: int | None) -> dict[str, str]:
    """A nomination's form values taken from the record of an existing teacher (picked from a search), so a
    coordinator never retypes, and never alters, a teacher on file. Coordinators see their own county's only."""
    row = await Teacher.select().where((Teacher.id == teacher_id) & (Teacher.erased == False)).first()  # noqa: E712
    if row is None:
        raise NotFound()
    if coordinator_county is not None and int(row["county"]) != coordinator_county:
        raise Forbidden("teacher_of_another_county")
    return {
        "name": row["name"],
        "gender": row["gender"],
        "ethnicity": row["ethnicity"],
        "id_number": people.reveal_id_number(row),
        "phone": people.reveal_phone(row),
        "email": row["email"],
        "county": str(row["county"]),
        "school": row["school_name"],
        "subject": row["subject"],
        "grade_band": row["grade_band"],
        "title": row["title"],
        "years_teaching": "" if row["years_teaching"] is None else str(row["years_teaching"]),
    }


async def withdraw(
    enrollment_id: int, *, coordinator_county: int | None, actor: Actor, base_url: str
) -> None:
    """A coordinator takes back a nomination of their county before the organisers decided (the quota seat frees)."""
    row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise NotFound()
    if coordinator_county is not None and row["county"] != coordinator_county:
        raise Forbidden("county_not_yours")
    if row["status"] != EnrollmentStatus.NOMINATED:
        raise Conflict("not_cancellable")
    await service.cancel(enrollment_id, base_url=base_url, actor=actor)

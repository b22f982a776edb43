"""Registering: a teacher online, a coordinator's nomination, an import row. One transaction per enrollment: the row
goes in waiting, the seat claim (seating.py, rules in seats.py) upgrades it, the mail is queued (mails.py) — all or
nothing, never oversold."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from training import db, keys
from training.core.actor import Actor
from training.core.codes import new_manual_code
from training.core.links import make_link_token
from training.enrollment import (
    answers,
    mails,
    messages,  # noqa: F401  (registers error texts)
    seating,
    snapshots,
    sql,
)
from training.enrollment.openings import local_today
from training.enrollment.promoting import teacher_contact
from training.enrollment.rules import Registration, validate, window_problem
from training.enrollment.session_cache import calendar_of, snapshot_of
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import Conflict, Forbidden, ValidationFailed
from training.notify import preferences as notify_prefs
from training.people import requests as change_requests
from training.people import service as people
from training.people.states import Origin
from training.programmes.sessions import Session
from training.programmes.states import RegistrationMode
from training.sms import state as sms_state


@dataclass(frozen=True, slots=True)
class Outcome:
    enrollment_id: int
    status: str
    position: int | None
    manual_code: str
    created: bool  # False: the teacher already had an enrollment in this session (nothing changed)

    @property
    def link_token(self) -> str:
        return make_link_token(keys.current().teacher_link, self.enrollment_id)


def _is_unique_violation(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.IntegrityError) or type(exc).__name__ == "UniqueViolationError"


def profile_of(reg: Registration, school_id: int | None) -> people.TeacherProfile:
    return people.TeacherProfile(
        id_number=reg.id_number,
        name=reg.name,
        phone=reg.phone,
        county_id=reg.county_id,
        email=reg.email,
        gender=reg.gender,
        ethnicity=reg.ethnicity,
        birth_date=reg.birth_date,
        school_id=school_id,
        school_name=reg.school_name,
        subject=reg.subject,
        grade_band=reg.grade_band,
        title=reg.title,
        years_teaching=reg.years_teaching,
    )


def window_problem_now(session: Session) -> str | None:
    """Why the session cannot take online registrations right now (None: it can)."""
    return _window(session.as_dict(), datetime.now(UTC))


def _window(session: Mapping[str, Any], now: datetime) -> str | None:
    """session: the session's columns (a Session's as_dict, or the row the seat claim read)."""
    return window_problem(
        status=session["status"],
        mode=session["mode"],
        opens_at=session["registration_opens_at"],
        closes_at=session["registration_closes_at"],
        now=now,
    )


async def check_registration(
    session_id: int, values: dict[str, Any], now: datetime | None = None, *, require_consent: bool = True
) -> tuple[Session, Registration]:
    """Validate against the rules and this session (window, eligible counties); raises ValidationFailed/Conflict."""
    now = now or datetime.now(UTC)
    snapshot = await snapshot_of(session_id)
    problem = _window(snapshot.session_row, now)
    reg, errors = validate(
        {k: str(v) if v is not None else "" for k, v in values.items()},
        today=local_today(now),
        eligible_county_ids=set(snapshot.eligible),
        require_consent=require_consent,
        email_required=not sms_state.enabled(),
    )
    if problem:
        raise Conflict(problem)
    if errors or reg is None:
        raise ValidationFailed(errors)
    return snapshot.session, reg


async def register(
    session_id: int, values: dict[str, Any], *, base_url: str, now: datetime | None = None
) -> Outcome:
    """A teacher registers online: confirmed, pending (approval mode) or waitlisted; never oversold. She answers
    the session's teacher questions (answers.py); a field for any other question is ignored."""
    questions = await answers.form_questions(session_id, answers.TEACHER_FORM)
    parsed = answers.parse(questions, values, answers.TEACHER_FORM)
    try:
        session, reg = await check_registration(session_id, values, now)
    except ValidationFailed as exc:
        exc.fields.update(parsed.errors)
        raise
    if parsed.errors:
        raise ValidationFailed(parsed.errors)
    return await enroll(
        session,
        reg,
        base_url=base_url,
        source=Origin.ONLINE,
        now=now,
        given_answers=(questions, parsed.values),
    )


async def existing_enrollment(session_id: int, id_number: str) -> int | None:
    """The id of this teacher's enrollment in the session, if she has one."""
    teacher_id = await people.find_teacher_id(id_number)
    if teacher_id is None:
        return None
    row = (
        await Enrollment.select(Enrollment.id)
        .where((Enrollment.session == session_id) & (Enrollment.teacher == teacher_id))
        .first()
    )
    return None if row is None else int(row["id"])


async def _nothing_more(enrollment_id: int) -> None:
    return None


async def enroll(
    session: Session,
    reg: Registration,
    *,
    base_url: str,
    source: str,
    nominated_by: Actor | None = None,
    now: datetime | None = None,
    coordinator_county: int | None = None,
    given_answers: answers.Given | None = None,
    on_created: Callable[[int], Awaitable[None]] = _nothing_more,
) -> Outcome:
    """Create the enrollment in one transaction (retried once if a concurrent twin won the unique index).
    `given_answers`: the questions asked and their parsed answers (answers.parse), stored with a new enrollment.
    on_created(enrollment_id): more to write in that transaction when the enrollment is new (a nomination's
    notice and audit entry)."""
    school_id = (await snapshot_of(session.id)).schools.get((reg.county_id, reg.school_name))
    for attempt in (1, 2):
        try:
            outcome = await _enroll_once(
                session,
                reg,
                school_id,
                base_url,
                source,
                nominated_by,
                now,
                coordinator_county,
                given_answers,
                on_created,
            )
        except Exception as exc:
            if attempt == 2 or not _is_unique_violation(exc):
                raise
        else:
            if outcome.status == EnrollmentStatus.WAITLISTED and outcome.position is None:
                position = await seating.waitlist_position(session.id, outcome.enrollment_id)
                outcome = replace(outcome, position=position)
            return outcome
    raise AssertionError("unreachable")


async def _enroll_once(
    session: Session,
    reg: Registration,
    school_id: int | None,
    base_url: str,
    source: str,
    nominated_by: Actor | None,
    now: datetime | None,
    coordinator_county: int | None = None,
    given_answers: answers.Given | None = None,
    on_created: Callable[[int], Awaitable[None]] = _nothing_more,
) -> Outcome:
    now = now or datetime.now(UTC)
    today = local_today(now)
    nomination = session.mode == RegistrationMode.NOMINATION
    async with db.transaction():
        # One query: the person (by keyed hash of the ID number) and their enrollment in this session, if any.
        teacher = await sql.teacher_and_enrollment(session.id, keys.current().hash_id_card(reg.id_number))
        existing = teacher if teacher is not None and teacher["enrollment_id"] is not None else None
        if teacher is not None and coordinator_county not in (None, int(teacher["county"])):
            # A coordinator nominates her own county's teachers only; one on file elsewhere is never moved.
            raise Forbidden("teacher_of_another_county")
        if existing is not None:
            # A second attempt changes nothing (not even the profile): it only shows what exists, and online only
            # to someone who also knows the mobile number on file (an ID number alone is not a secret).
            if source == Origin.ONLINE and (teacher is None or not people.phone_matches(teacher, reg.phone)):
                raise Conflict("already_registered")
            return Outcome(
                int(existing["enrollment_id"]),
                existing["status"],
                await seating.waitlist_position(session.id, existing["waitlist_seq"]),
                existing["manual_code"],
                created=False,
            )
        profile = profile_of(reg, school_id)
        teacher_id, _ = await people.upsert_teacher(
            profile, existing_id=int(teacher["id"]) if teacher else None
        )
        # How she is notified is hers to choose: a submission naming a teacher on file sets it only when it also
        # knows the mobile number on file (the look-up's proof), like everything else on her record.
        if (reg.channel or reg.essential_only) and (
            teacher is None or people.phone_matches(teacher, reg.phone)
        ):
            await notify_prefs.save(teacher_id, reg.channel, reg.essential_only)
        # The row goes in first as "waiting"; the seat claim then upgrades it (on PostgreSQL the session row stays
        # locked only from the claim to the commit). A teacher left waiting queues by id, i.e. arrival order.
        code = new_manual_code()
        enrollment_id = await sql.insert_enrollment(
            {
                "session": session.id,
                "teacher": teacher_id,
                "county": reg.county_id,
                "school": school_id,
                # a teacher on file is printed under the name on file: a typed name waits for proof like the rest
                **snapshots.of_registration(reg, name=str(teacher["name"]) if teacher is not None else None),
                "status": EnrollmentStatus.WAITLISTED,
                "holds_seat": False,
                "holds_quota": False,
                "manual_code": code,
                "source": source,
                "nominated_by": nominated_by.user_id if nominated_by else None,
                "created_at": now,
                "updated_at": now,
            },
        )
        await answers.save_given(enrollment_id, given_answers, actor=nominated_by)
        if teacher is not None:
            # The record keeps its contact and identity; what this submission says differently waits for proof.
            await change_requests.propose(
                teacher_id,
                people.proposal(profile),
                origin=source,
                enrollment_id=enrollment_id,
                actor=nominated_by,
            )
        # Mails go to the contact on file, so the real teacher learns of every enrollment made in her name.
        name, email, phone = (
            await teacher_contact(teacher_id) if teacher is not None else (reg.name, reg.email, reg.phone)
        )
        if nomination:
            status = EnrollmentStatus.NOMINATED
        elif session.mode == RegistrationMode.APPROVAL and source == Origin.ONLINE:
            status = EnrollmentStatus.PENDING
        else:
            status = EnrollmentStatus.CONFIRMED
        # Render the likely email (templates, .ics) before the seat claim takes any lock; its QR code is drawn
        # by the mail worker when it sends.
        snapshot = await snapshot_of(session.id)
        ctx = mails.MailContext(enrollment_id, code, name, email, snapshot.session_row, base_url, phone)
        seat_kind = {EnrollmentStatus.CONFIRMED: "confirmation", EnrollmentStatus.PENDING: "pending"}.get(
            status
        )
        likely = seat_kind is not None and snapshot.seat_likely(reg.county_id)
        prepared = (
            await mails.prepare(
                seat_kind,
                ctx,
                fresh=True,
                ics=await calendar_of(session.id, base_url) if status == EnrollmentStatus.CONFIRMED else None,
            )
            if likely and seat_kind
            else None
        )
        mode = None if nomination else snapshot.fast_mode(reg.county_id, today)
        claim = await seating.claim_for_enrollment(
            session.id, reg.county_id, enrollment_id, status, now, mode
        )
        snapshot.learn(claim, reg.county_id)
        if source == Origin.ONLINE and (problem := _window(claim.session, now)):
            raise Conflict(
                problem
            )  # closed (or unpublished) since the snapshot was taken: roll everything back
        if not claim.seat:
            if nomination:
                raise Conflict("quota_full")
            status = EnrollmentStatus.WAITLISTED
            await sql.queue_by_arrival(enrollment_id)
            prepared = await mails.prepare("waitlisted", ctx, fresh=True)
        elif prepared is None and seat_kind is not None:
            prepared = await mails.prepare(
                seat_kind,
                ctx,
                fresh=True,
                ics=await calendar_of(session.id, base_url) if seat_kind == "confirmation" else None,
            )
        await mails.put(prepared)
        await on_created(enrollment_id)
        # The place in the queue is computed after the commit (enroll()): inside the transaction, concurrent
        # registrations with earlier places are not yet visible.
        return Outcome(enrollment_id, status, None, code, created=True)

"""Enrollment use cases: register, cancel with promotion, approve/reject, look-up. Plain async functions.

Every seat change runs in one db.write_transaction(): lock the session row, claim or release with conditional
UPDATEs (seating.py, rules in seats.py), write the enrollment, queue the email (mails.py) — all or nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from training import db, keys
from training.accounts import ratelimit
from training.audit import writer as audit
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.core.codes import new_manual_code
from training.core.links import make_link_token, read_link_token
from training.core.tokens import generation_of
from training.enrollment import mails, messages, seating, snapshots  # noqa: F401  (messages registers error texts)
from training.enrollment.rules import Registration, validate, window_problem
from training.enrollment.seats import QuotaState, quotas_released, seats_left
from training.enrollment.states import ACTIVE, EnrollmentStatus
from training.enrollment.tables import Enrollment
from training.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from training.notify import notices
from training.notify import preferences as notify_prefs
from training.people import requests as change_requests
from training.people import service as people
from training.people.identity import normalize_id_card
from training.people.states import Origin
from training.people.tables import County, School, Teacher
from training.programmes.tables import TrainingSession
from training.sms import state as sms_state

log = logging.getLogger("training.enrollment")
# Self-service look-up throttle (docs/enrollment.md, Look-up): a look-up is counted as a failure first and mostly
# refunded when it finds the teacher, so a county office or venue Wi-Fi (one address) gets 100+ genuine look-ups
# with typos in ten minutes, while guessing gets 5 wrong phones per ID number and 30 misses per address.
LOOKUP_WINDOW_S = 600
LOOKUP_FAILURE_COST = 10
LOOKUP_SUCCESS_COST = 1
LOOKUP_BUDGET_PER_IP = 300  # 300 genuine look-ups, or 30 misses, or a mix
LOOKUP_BUDGET_PER_ID = 50  # 5 misses; looking oneself up again and again is fine


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
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


# ----------------------------------------------------------------------------------------------------------------
# Reading sessions


async def get_session(session_id: int) -> dict[str, Any]:
    row = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    if row is None:
        raise NotFound()
    return row


async def eligible_counties(session_id: int) -> list[dict[str, Any]]:
    """Counties of the session with their quota numbers, ordered by code."""
    rows = await db.raw(
        'SELECT c."id", c."code", c."name", c."province", q."quota", q."seats_taken" FROM "county_quota" q '
        'JOIN "county" c ON c."id" = q."county" WHERE q."session" = {} ORDER BY c."code"',
        session_id,
    )
    return [dict(r) for r in rows]


async def seats_by_county(session: dict[str, Any], now: datetime | None = None) -> list[dict[str, Any]]:
    counties = await eligible_counties(session["id"])
    quotas = [QuotaState(int(c["id"]), c["quota"], int(c["seats_taken"])) for c in counties]
    released = quotas_released(session["release_unused_quota_on"], local_today(now))
    return [
        {
            **c,
            "left": seats_left(
                capacity=int(session["capacity"]),
                seats_taken=int(session["seats_taken"]),
                county=q,
                all_quotas=quotas,
                released=released,
            ),
        }
        for c, q in zip(counties, quotas, strict=True)
    ]


async def open_sessions(now: datetime | None = None) -> list[dict[str, Any]]:
    """Published sessions that take online registrations and whose window has not closed."""
    now = now or datetime.now(UTC)
    rows = (
        await TrainingSession.select()
        .where(TrainingSession.status == "published")
        .where(TrainingSession.mode.is_in(["open", "approval"]))
        .order_by(TrainingSession.starts_on)
    )
    result = []
    for row in rows:
        if row["registration_closes_at"] is not None and now >= row["registration_closes_at"]:
            continue
        row["not_yet_open"] = row["registration_opens_at"] is not None and now < row["registration_opens_at"]
        row["counties"] = await seats_by_county(row, now)
        row["free"] = max(0, int(row["capacity"]) - int(row["seats_taken"]))
        result.append(row)
    return result


async def schools_of(county_ids: list[int]) -> dict[int, list[str]]:
    if not county_ids:
        return {}
    rows = (
        await School.select(School.county, School.name)
        .where(School.county.is_in(county_ids))
        .order_by(School.name)
    )
    result: dict[int, list[str]] = {}
    for row in rows:
        result.setdefault(int(row["county"]), []).append(row["name"])
    return result


# ----------------------------------------------------------------------------------------------------------------
# Registering


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


@dataclass(frozen=True)
class _Snapshot:
    session: dict[str, Any]
    eligible: frozenset[int]
    quotas: dict[int, int | None]  # county → quota (configuration, not the live counts)
    schools: dict[tuple[int, str], int]
    taken_at: float
    base_url: str = ""
    ics: bytes = b""  # the session's timetable for confirmation mails (built once per snapshot)
    # What recent claims in this process found full (until the snapshot is renewed): in a rush the snapshot's
    # seat count is seconds old, and every registration it took for "seats left" rendered a confirmation mail
    # with its QR in vain once the session had filled up. A stale entry only costs the speculative rendering.
    full_counties: set[int] = field(default_factory=set)
    session_full: list[bool] = field(default_factory=lambda: [False])

    def seat_likely(self, county_id: int) -> bool:
        return (
            not self.session_full[0]
            and county_id not in self.full_counties
            and int(self.session["seats_taken"]) < int(self.session["capacity"])
        )

    def learn(self, claim: seating.Claim, county_id: int) -> None:
        if claim.seat:
            return
        if int(claim.session["seats_taken"]) >= int(claim.session["capacity"]):
            self.session_full[0] = True
        else:
            self.full_counties.add(county_id)

    def fast_mode(self, county_id: int, today: date) -> str | None:
        return seating.fast_mode(self.quotas, county_id, self.session["release_unused_quota_on"], today)


SNAPSHOT_TTL_S = 3.0
_snapshots: dict[int, _Snapshot] = {}
_snapshot_engine: list[Any] = [None]  # the cache belongs to one engine (tests switch databases)


async def _snapshot(session_id: int) -> _Snapshot:
    """What validation needs about a session, cached for a few seconds per engine: in a rush every registration
    would otherwise read the same three things first. Anything that matters for seats (status, window, counts) is
    read again under the session lock."""
    engine = db.current_engine()
    if _snapshot_engine[0] is not engine:
        _snapshots.clear()
        _snapshot_engine[0] = engine
    per_engine = _snapshots
    cached = per_engine.get(session_id)
    if cached is not None and time.monotonic() - cached.taken_at < SNAPSHOT_TTL_S:
        return cached
    session = await get_session(session_id)
    counties = await eligible_counties(session_id)
    eligible = frozenset(int(c["id"]) for c in counties)
    rows = await School.select(School.id, School.county, School.name).where(
        School.county.is_in(list(eligible) or [0])
    )
    snapshot = _Snapshot(
        session,
        eligible,
        {int(c["id"]): c["quota"] for c in counties},
        {(int(r["county"]), r["name"]): int(r["id"]) for r in rows},
        time.monotonic(),
    )
    per_engine[session_id] = snapshot
    return snapshot


async def _calendar(session_id: int, base_url: str) -> bytes:
    snapshot = await _snapshot(session_id)
    if not snapshot.ics or snapshot.base_url != base_url:
        ics = await mails.calendar_file(snapshot.session, base_url)
        snapshot = replace(snapshot, ics=ics, base_url=base_url)
        _snapshots[session_id] = snapshot
    return snapshot.ics


def window_problem_now(session: dict[str, Any]) -> str | None:
    """Why the session cannot take online registrations right now (None: it can)."""
    return _window(session, datetime.now(UTC))


def _window(session: dict[str, Any], now: datetime) -> str | None:
    return window_problem(
        status=session["status"],
        mode=session["mode"],
        opens_at=session["registration_opens_at"],
        closes_at=session["registration_closes_at"],
        now=now,
    )


async def check_registration(
    session_id: int, values: dict[str, Any], now: datetime | None = None, *, require_consent: bool = True
) -> tuple[dict[str, Any], Registration]:
    """Validate against the rules and this session (window, eligible counties); raises ValidationFailed/Conflict."""
    now = now or datetime.now(UTC)
    snapshot = await _snapshot(session_id)
    problem = _window(snapshot.session, now)
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
    """A teacher registers online: confirmed, pending (approval mode) or waitlisted; never oversold."""
    session, reg = await check_registration(session_id, values, now)
    return await enroll(session, reg, base_url=base_url, source=Origin.ONLINE, now=now)


async def existing_enrollment(session_id: int, id_number: str) -> dict[str, Any] | None:
    teacher_id = await people.find_teacher_id(id_number)
    if teacher_id is None:
        return None
    return (
        await Enrollment.select()
        .where((Enrollment.session == session_id) & (Enrollment.teacher == teacher_id))
        .first()
    )


async def enroll(
    session: dict[str, Any],
    reg: Registration,
    *,
    base_url: str,
    source: str,
    nominated_by: Actor | None = None,
    now: datetime | None = None,
    coordinator_county: int | None = None,
) -> Outcome:
    """Create the enrollment in one transaction (retried once if a concurrent twin won the unique index)."""
    school_id = (await _snapshot(session["id"])).schools.get((reg.county_id, reg.school_name))
    for attempt in (1, 2):
        try:
            outcome = await _enroll_once(
                session, reg, school_id, base_url, source, nominated_by, now, coordinator_county
            )
        except Exception as exc:
            if attempt == 2 or not _is_unique_violation(exc):
                raise
        else:
            if outcome.status == EnrollmentStatus.WAITLISTED and outcome.position is None:
                position = await seating.waitlist_position(session["id"], outcome.enrollment_id)
                outcome = replace(outcome, position=position)
            return outcome
    raise AssertionError("unreachable")


async def _enroll_once(
    session: dict[str, Any],
    reg: Registration,
    school_id: int | None,
    base_url: str,
    source: str,
    nominated_by: Actor | None,
    now: datetime | None,
    coordinator_county: int | None = None,
) -> Outcome:
    now = now or datetime.now(UTC)
    today = local_today(now)
    nomination = session["mode"] == "nomination"
    async with db.write_transaction():
        # One query: the person (by keyed hash of the ID number) and their enrollment in this session, if any.
        found = await db.raw(
            'SELECT t."id", t."phone_hash", t."county", t."name", e."id" AS enrollment_id, e."status", '
            'e."waitlist_seq", '
            'e."manual_code" '
            'FROM "teacher" t LEFT JOIN "enrollment" e ON e."teacher" = t."id" AND e."session" = {} '
            'WHERE t."id_hash" = {}',
            session["id"],
            keys.current().hash_id_card(reg.id_number),
        )
        teacher = dict(found[0]) if found else None
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
                await seating.waitlist_position(session["id"], existing["waitlist_seq"]),
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
        inserted = await db.insert(
            "enrollment",
            {
                "session": session["id"],
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
        assert inserted is not None
        enrollment_id = inserted
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
            await _teacher_contact(teacher_id) if teacher is not None else (reg.name, reg.email, reg.phone)
        )
        if nomination:
            status = EnrollmentStatus.NOMINATED
        elif session["mode"] == "approval" and source == Origin.ONLINE:
            status = EnrollmentStatus.PENDING
        else:
            status = EnrollmentStatus.CONFIRMED
        # Render the likely email (templates, .ics) before the seat claim takes any lock; its QR code is drawn
        # by the mail worker when it sends.
        snapshot = await _snapshot(session["id"])
        ctx = mails.MailContext(enrollment_id, code, name, email, snapshot.session, base_url, phone)
        seat_kind = {EnrollmentStatus.CONFIRMED: "confirmation", EnrollmentStatus.PENDING: "pending"}.get(
            status
        )
        likely = seat_kind is not None and snapshot.seat_likely(reg.county_id)
        prepared = (
            await mails.prepare(
                seat_kind,
                ctx,
                fresh=True,
                ics=await _calendar(session["id"], base_url)
                if status == EnrollmentStatus.CONFIRMED
                else None,
            )
            if likely and seat_kind
            else None
        )
        mode = None if nomination else snapshot.fast_mode(reg.county_id, today)
        claim = await seating.claim_for_enrollment(
            session["id"], reg.county_id, enrollment_id, status, now, mode
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
            await db.raw('UPDATE "enrollment" SET "waitlist_seq" = "id" WHERE "id" = {}', enrollment_id)
            prepared = await mails.prepare("waitlisted", ctx, fresh=True)
        elif prepared is None and seat_kind is not None:
            prepared = await mails.prepare(
                seat_kind,
                ctx,
                fresh=True,
                ics=await _calendar(session["id"], base_url) if seat_kind == "confirmation" else None,
            )
        await mails.put(prepared)
        # The place in the queue is computed after the commit (enroll()): inside the transaction, concurrent
        # registrations with earlier places are not yet visible.
        return Outcome(enrollment_id, status, None, code, created=True)


# ----------------------------------------------------------------------------------------------------------------
# Cancelling, promoting, deciding


async def _enrollment_for_update(enrollment_id: int) -> dict[str, Any]:
    row = await Enrollment.select().where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise NotFound()
    return row


async def _teacher_contact(teacher_id: int) -> tuple[str, str, str]:
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


async def _promote(
    session: dict[str, Any], freed_county: int | None, base_url: str, today: date
) -> list[int]:
    """Fill free seats from the waiting list: the freeing county first while it is under quota, then by queue."""
    from training.enrollment.seats import Waiting, promotion_order

    promoted: list[int] = []
    while True:
        rows = await db.raw(
            'SELECT e."id", e."county", e."waitlist_seq" FROM "enrollment" e JOIN ('
            '  SELECT "county", MIN("waitlist_seq") AS seq FROM "enrollment"'
            '  WHERE "session" = {} AND "status" = {} GROUP BY "county"'
            ') f ON f."county" = e."county" AND f.seq = e."waitlist_seq" '
            'WHERE e."session" = {} AND e."status" = {}',
            session["id"],
            EnrollmentStatus.WAITLISTED,
            session["id"],
            EnrollmentStatus.WAITLISTED,
        )
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
        row = await _enrollment_for_update(candidate.enrollment_id)
        name, email, phone = await _teacher_contact(int(row["teacher"]))
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


CANCEL_REASON_MAX = 500


async def valid_certificate_serial(enrollment_id: int) -> str | None:
    """The serial of the enrollment's unrevoked certificate, if it holds one."""
    rows = await db.raw(
        'SELECT "serial" FROM "certificate" WHERE "enrollment" = {} AND "revoked_at" IS NULL', enrollment_id
    )
    return str(rows[0]["serial"]) if rows else None


async def cancel(
    enrollment_id: int, *, base_url: str, actor: Actor | None = None, reason: str = ""
) -> list[int]:
    """Cancel (teacher or organiser); the seat goes to the next waiting teacher in the same transaction.
    Returns the ids promoted.

    A certificate and a cancelled registration cannot both stand: a teacher (actor None) cannot cancel while
    her enrollment holds a valid certificate; an organiser can, with a reason, and the certificate is revoked in
    the same transaction (so /verify stops saying "valid" at the moment the registration goes). An organiser may
    also cancel after the session ended (a registration found wrong later); teachers only until its last day."""
    reason = " ".join(reason.split())
    async with db.write_transaction():
        row = await _enrollment_for_update(enrollment_id)
        session = await seating.lock_session(int(row["session"]))
        assert session is not None
        row = await _enrollment_for_update(enrollment_id)  # re-read under the session lock
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
            await _promote(session, int(row["county"]), base_url, local_today())
            if row["holds_seat"] and not ended
            else []
        )
        await notices.cancelled(enrollment_id, session, base_url, by_staff=actor is not None)
        if serial is not None:
            revoked = await db.raw(
                'UPDATE "certificate" SET "revoked_at" = {}, "revoke_reason" = {} WHERE "serial" = {} '
                'RETURNING "session_title", "revision"',
                now,
                reason,
                serial,
            )
            await audit.record(
                actor,
                "revoke",
                "certificate",
                serial,
                {"reason": reason, "cancelled_enrollment": enrollment_id},
            )
            # explained to the holder like any revocation (certificates.revoking.revoke does the same)
            await notices.certificate_revoked(
                enrollment_id, revoked[0]["session_title"], serial, reason, int(revoked[0]["revision"] or 1)
            )
        if actor is not None:
            changes: dict[str, Any] = {"was": row["status"], "promoted": promoted}
            if reason:
                changes["reason"] = reason
            if serial is not None:
                changes["revoked_certificate"] = serial
            await audit.record(actor, "cancel", "enrollment", enrollment_id, changes)
        return promoted


async def fill_free_seats(session_id: int, *, base_url: str) -> list[int]:
    """Promote waiting teachers into seats the rules now allow: after `release_unused_quota_on`, when organisers
    raise the capacity or a quota, or after anything else that freed seats without a cancellation."""
    async with db.write_transaction():
        session = await seating.lock_session(session_id)
        if session is None:
            raise NotFound()
        if session["mode"] == "nomination" or int(session["seats_taken"]) >= int(session["capacity"]):
            return []
        return await _promote(session, None, base_url, local_today())


async def sessions_with_free_seats_and_a_queue() -> list[int]:
    rows = await db.raw(
        'SELECT s."id" FROM "training_session" s WHERE s."status" = {} AND s."mode" <> {} '
        'AND s."seats_taken" < s."capacity" AND EXISTS (SELECT 1 FROM "enrollment" e '
        'WHERE e."session" = s."id" AND e."status" = {})',
        "published",
        "nomination",
        EnrollmentStatus.WAITLISTED,
    )
    return [int(r["id"]) for r in rows]


@dataclass(frozen=True)
class DecisionResult:
    changed: list[int]
    skipped: list[int]
    promoted: list[int]


# Which statuses each bulk decision changes (the rest of a selection is left as it is).
DECIDABLE: dict[str, tuple[EnrollmentStatus, ...]] = {
    "approve": (EnrollmentStatus.PENDING, EnrollmentStatus.NOMINATED),
    "reject": (EnrollmentStatus.PENDING, EnrollmentStatus.NOMINATED, EnrollmentStatus.WAITLISTED),
}


@dataclass(frozen=True)
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
        seats_free=max(0, int(session["capacity"]) - int(session["seats_taken"])),
    )


async def decide(
    session_id: int, enrollment_ids: list[int], approve: bool, *, actor: Actor | None, base_url: str
) -> DecisionResult:
    """Approve (pending → confirmed, nominated → selected/confirmed) or reject, one or many, in one transaction."""
    changed: list[int] = []
    skipped: list[int] = []
    freed: list[int] = []
    async with db.write_transaction():
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
            name, email, phone = await _teacher_contact(int(row["teacher"]))
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
                promoted += await _promote(session, county, base_url, today)
        if changed:
            await audit.record(
                actor,
                "approve" if approve else "reject",
                "session",
                session_id,
                {"enrollments": changed, "promoted": promoted},
            )
    return DecisionResult(changed, skipped, promoted)


# ----------------------------------------------------------------------------------------------------------------
# Teacher self-service


@dataclass(frozen=True)
class EnrollmentView:
    id: int
    status: str
    position: int | None
    manual_code: str
    teacher_name: str
    phone_masked: str
    id_masked: str
    county_name: str
    school_name: str
    session: dict[str, Any]
    created_at: datetime
    link_token: str
    certificate_serial: str | None = None  # a valid certificate: the teacher can no longer cancel
    token_nonce: str = ""  # which QR code is the valid one (core/tokens.py)

    @property
    def has_qr(self) -> bool:
        return self.status == EnrollmentStatus.CONFIRMED and generation_of(self.token_nonce) is not None

    @property
    def cancellable(self) -> bool:
        return (
            self.status in ACTIVE
            and self.session["ends_on"] >= local_today()
            and self.certificate_serial is None
        )


# The name and school as the enrollment's snapshot keeps them (snapshots.py). Assembled from constants only.
_VIEW_SQL = (
    'SELECT e."id", e."status", e."waitlist_seq", e."manual_code", e."created_at", e."session", '  # noqa: S608
    '(SELECT MIN(r."serial") FROM "certificate" r WHERE r."enrollment" = e."id" AND r."revoked_at" IS NULL) '
    "AS certificate_serial, "
    'e."token_nonce", t."erased", '
    f"{snapshots.select_sql()}, "
    't."phone_masked", t."id_masked", c."name" AS county_name '
    'FROM "enrollment" e JOIN "teacher" t ON t."id" = e."teacher" JOIN "county" c ON c."id" = e."county" '
    'WHERE e."id" = {}'
)


async def view(enrollment_id: int) -> EnrollmentView:
    rows = await db.raw(_VIEW_SQL, enrollment_id)
    if not rows or rows[0]["erased"]:  # an erased teacher's links open nothing
        raise NotFound()
    row = dict(rows[0])
    session = await get_session(int(row["session"]))
    position = (
        await seating.waitlist_position(session["id"], row["waitlist_seq"])
        if row["status"] == EnrollmentStatus.WAITLISTED
        else None
    )
    return EnrollmentView(
        id=int(row["id"]),
        status=row["status"],
        position=position,
        manual_code=row["manual_code"],
        teacher_name=row["name"],
        phone_masked=row["phone_masked"],
        id_masked=row["id_masked"],
        county_name=row["county_name"],
        school_name=row["school_name"],
        session=session,
        created_at=row["created_at"],
        link_token=make_link_token(keys.current().teacher_link, int(row["id"])),
        certificate_serial=row["certificate_serial"],
        token_nonce=row["token_nonce"] or "",
    )


def enrollment_for_link(token: str) -> int:
    enrollment_id = read_link_token(keys.current().teacher_link, token)
    if enrollment_id is None:
        raise DomainError("invalid_link", status=404)
    return enrollment_id


async def lookup(id_number: str, phone: str, client_ip: str) -> list[EnrollmentView]:
    """A teacher's enrollments by ID-card number + mobile number; rate-limited per address and per ID number (as
    looked up: spaces or full-width digits do not make a new key)."""
    errors: dict[str, str] = {}
    if not id_number.strip():
        errors["id_number"] = "required"
    if not phone.strip():
        errors["phone"] = "required"
    if errors:
        raise ValidationFailed(errors)
    id_key = normalize_id_card(id_number)
    limits = (
        ("enrollment_lookup_ip", client_ip, LOOKUP_BUDGET_PER_IP),
        ("enrollment_lookup_id", id_key, LOOKUP_BUDGET_PER_ID),
    )
    for bucket, key, budget in limits:
        await ratelimit.hit(bucket, key, budget, LOOKUP_WINDOW_S, cost=LOOKUP_FAILURE_COST)
    teacher = await people.find_teacher(id_key)
    if teacher is None or not people.phone_matches(teacher, phone):
        raise DomainError("lookup_not_found", status=404)
    for bucket, key, _ in limits:
        await ratelimit.refund(bucket, key, LOOKUP_WINDOW_S, amount=LOOKUP_FAILURE_COST - LOOKUP_SUCCESS_COST)
    rows = (
        await Enrollment.select(Enrollment.id)
        .where(Enrollment.teacher == teacher["id"])
        .order_by(Enrollment.created_at, ascending=False)
    )
    return [await view(int(r["id"])) for r in rows]


async def county_ids_by_code_or_name() -> dict[str, int]:
    rows = await County.select(County.id, County.code, County.name)
    result: dict[str, int] = {}
    for r in rows:
        result[r["code"]] = int(r["id"])
        result[r["name"]] = int(r["id"])
    return result

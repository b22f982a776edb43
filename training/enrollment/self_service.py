"""A teacher's own view of her enrollment: by the signed self-service link, or looked up by ID-card number and
mobile number (rate-limited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from training import keys, ratelimit
from training.core.links import make_link_token, read_link_token
from training.core.tokens import generation_of
from training.enrollment import seating, sql
from training.enrollment.openings import local_today
from training.enrollment.states import ACTIVE, EnrollmentStatus, NomineeAnswer
from training.enrollment.tables import Enrollment
from training.errors import DomainError, NotFound, ValidationFailed
from training.people import service as people
from training.people.identity import normalize_id_card
from training.programmes.sessions import Session, get_session
from training.programmes.states import RegistrationMode

# Self-service look-up throttle (docs/enrollment.md, Look-up): a look-up is counted as a failure first and mostly
# refunded when it finds the teacher, so a county office or venue Wi-Fi (one address) gets 100+ genuine look-ups
# with typos in ten minutes, while guessing gets 5 wrong phones per ID number and 30 misses per address.
LOOKUP_WINDOW_S = 600
LOOKUP_FAILURE_COST = 10
LOOKUP_SUCCESS_COST = 1
LOOKUP_BUDGET_PER_IP = 300  # 300 genuine look-ups, or 30 misses, or a mix
LOOKUP_BUDGET_PER_ID = 50  # 5 misses; looking oneself up again and again is fine


@dataclass(frozen=True, slots=True)
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
    session: Session
    created_at: datetime
    link_token: str
    certificate_serial: str | None = None  # a valid certificate: the teacher can no longer cancel
    token_nonce: str = ""  # which QR code is the valid one (core/tokens.py)
    nominee_answer: str = ""  # a nominee's own answer (nominee_answers.py)

    @property
    def answerable(self) -> bool:
        """A nomination she can still confirm or decline (nominated or selected, not yet declined)."""
        return (
            self.session.mode == RegistrationMode.NOMINATION
            and self.status in (EnrollmentStatus.NOMINATED, EnrollmentStatus.CONFIRMED)
            and self.nominee_answer != NomineeAnswer.DECLINED
            and self.session.ends_on >= local_today()
        )

    @property
    def has_qr(self) -> bool:
        return self.status == EnrollmentStatus.CONFIRMED and generation_of(self.token_nonce) is not None

    @property
    def cancellable(self) -> bool:
        return (
            self.status in ACTIVE
            and self.session.ends_on >= local_today()
            and self.certificate_serial is None
        )


async def view(enrollment_id: int) -> EnrollmentView:
    row = await sql.enrollment_view(enrollment_id)
    if row is None or row["erased"]:  # an erased teacher's links open nothing
        raise NotFound()
    session = await get_session(int(row["session"]))
    position = (
        await seating.waitlist_position(session.id, row["waitlist_seq"])
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
        nominee_answer=row["nominee_answer"] or "",
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

"""JSON API under /api/v1 for registration and rosters (OpenAPI at /schema). Errors are 4xx with a
machine-readable `error` code and per-field codes in `fields` (see training/web/errors.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from training.core.codes import display_manual_code
from training.core.links import self_service_url
from training.enrollment import answers, rosters, service
from training.enrollment.rules import GENDERS, GRADE_BANDS
from training.enrollment.tables import ENROLLMENT_STATUSES
from training.programmes.questions import Question
from training.programmes.rules import MODES
from training.programmes.sessions import get_session
from training.web.context import base_url
from training.web.guards import current_principal, organiser_only, organiser_or_coordinator
from training.web.openapi import choice, query_choice

StatusField = Annotated[str, choice(ENROLLMENT_STATUSES)]


@dataclass
class RegistrationIn:
    """What a teacher submits. gender: male/female; grade_band: kindergarten/primary/junior/senior/vocational;
    county: the county id (see GET /api/v1/open-sessions); consent must be true."""

    name: str
    gender: Annotated[str, choice(GENDERS)]
    ethnicity: str
    id_number: str
    phone: str
    county: int
    school: str
    subject: str
    grade_band: Annotated[str, choice(GRADE_BANDS)]
    title: str
    years_teaching: int
    consent: bool
    email: str = ""  # optional when the service can send SMS (the mobile number then reaches the teacher)
    channel: str = ""  # preferred channel for reminders and broadcasts: sms / email
    essential_only: bool = False  # no reminders or broadcasts, only what concerns the registration itself
    # Answers to the session's teacher questions by form field name: "q_<question id>" (yes/no: "yes"/"no";
    # multiple choice: "q_<id>_c<index of the choice>" for each ticked choice, any non-empty value)
    answers: dict[str, str] = field(default_factory=dict)


@dataclass
class RegistrationOut:
    enrollment_id: int
    status: StatusField
    waitlist_position: int | None
    manual_code: str  # XXXX-XXXX
    self_service_url: str
    created: bool  # false: an existing registration of this teacher in this session is returned


@dataclass
class CountySeats:
    county_id: int
    code: str
    name: str
    quota: int | None
    seats_left: int


@dataclass
class SessionOut:
    id: int
    title: str
    starts_on: str
    ends_on: str
    venue: str
    mode: Annotated[str, choice(MODES)]
    capacity: int
    seats_taken: int
    registration_open: bool
    counties: list[CountySeats]


@dataclass
class AnswerOut:
    """An answer to one of the session's questions. value: text, number, "YYYY-MM-DD", "YYYY-MM-DDTHH:MM",
    the choice's text, a list of choice texts, or true/false (yes/no); null when unanswered. answered_label: the
    question's wording when it was answered (differs from label when the question changed since)."""

    question_id: int
    key: str
    label: str
    kind: str
    visibility: str
    archived: bool
    value: str | int | float | bool | list[str] | None
    answered_label: str
    outdated: bool


@dataclass
class RosterRow:
    enrollment_id: int
    status: StatusField
    waitlist_position: int | None
    name: str
    county: str
    school: str
    subject: str
    phone_masked: str
    id_masked: str
    manual_code: str
    answers: list[AnswerOut] = field(default_factory=list)


def _answers_out(questions: list[Question], given: dict[int, answers.Answer] | None) -> list[AnswerOut]:
    found = given or {}
    out = []
    for q in questions:
        a = found.get(q.id)
        out.append(
            AnswerOut(
                question_id=q.id,
                key=q.key,
                label=q.label,
                kind=q.kind,
                visibility=q.visibility,
                archived=q.archived,
                value=None if a is None else a.value,
                answered_label="" if a is None else a.label,
                outdated=a is not None and a.outdated(q),
            )
        )
    return out


@dataclass
class RosterOut:
    total: int
    rows: list[RosterRow]


@dataclass
class DecisionIn:
    enrollment_ids: list[int]
    action: Annotated[str, choice(("approve", "reject"))]


@dataclass
class DecisionOut:
    changed: list[int]
    skipped: list[int]
    promoted: list[int]


@get(
    "/api/v1/open-sessions",
    name="api_open_sessions",
    tags=["enrollment"],
    summary="Sessions open for registration, with seats left per county",
)
async def api_sessions() -> list[SessionOut]:
    result = []
    for o in await service.open_sessions():
        s = o.session
        result.append(
            SessionOut(
                id=s.id,
                title=s.title,
                starts_on=s.starts_on.isoformat(),
                ends_on=s.ends_on.isoformat(),
                venue=s.venue,
                mode=s.mode,
                capacity=s.capacity,
                seats_taken=s.seats_taken,
                registration_open=not o.not_yet_open,
                counties=[CountySeats(c.id, c.code, c.name, c.quota, c.left) for c in o.counties],
            )
        )
    return result


@post(
    "/api/v1/sessions/{session_id:int}/registrations",
    name="api_registration_create",
    tags=["enrollment"],
    summary="Register a teacher (201 new; 200 existing; 409 closed/duplicate; 422 per-field errors)",
    # Public, JSON only (a cross-site form cannot send application/json without a CORS preflight), no cookies used.
    opt={"exclude_from_csrf": True},
)
async def api_register(
    request: Request[Any, Any, Any], session_id: FromPath[int], data: JSONBody[RegistrationIn]
) -> Response[RegistrationOut]:
    values = {k: v for k, v in data.__dict__.items() if k != "answers"}
    values.update({k: str(v) for k, v in data.answers.items() if k.startswith("q_")})
    values["consent"] = "1" if data.consent else ""
    values["essential_only"] = "1" if data.essential_only else ""
    outcome = await service.register(session_id, values, base_url=base_url(request))
    return Response(
        RegistrationOut(
            enrollment_id=outcome.enrollment_id,
            status=outcome.status,
            waitlist_position=outcome.position,
            manual_code=display_manual_code(outcome.manual_code),
            self_service_url=self_service_url(base_url(request), outcome.enrollment_id),
            created=outcome.created,
        ),
        status_code=201 if outcome.created else 200,
    )


@get(
    "/api/v1/me/{token:str}",
    name="api_me",
    tags=["enrollment"],
    summary="A teacher's registration by their self-service token",
)
async def api_me(token: FromPath[str]) -> RosterRow:
    v = await service.view(service.enrollment_for_link(token))
    questions = await answers.session_questions(v.session.id, answers.TEACHER_FORM)
    given = (await answers.answers_of(v.session.id, v.id)).get(v.id) if questions else None
    return RosterRow(
        enrollment_id=v.id,
        status=v.status,
        waitlist_position=v.position,
        name=v.teacher_name,
        county=v.county_name,
        school=v.school_name,
        subject="",
        phone_masked=v.phone_masked,
        id_masked=v.id_masked,
        manual_code=display_manual_code(v.manual_code),
        answers=_answers_out(questions, given),
    )


@get(
    "/api/v1/sessions/{session_id:int}/roster",
    name="api_roster",
    tags=["enrollment"],
    summary="Roster of a session (coordinators: their county only)",
    guards=[organiser_or_coordinator],
)
async def api_roster(
    request: Request[Any, Any, Any],
    session_id: FromPath[int],
    county: FromQuery[int | None] = None,
    status: Annotated[str, query_choice(("", *ENROLLMENT_STATUSES), "empty: all")] = "",
    school: FromQuery[str] = "",
    q: FromQuery[str] = "",
    limit: FromQuery[int] = 200,
    offset: FromQuery[int] = 0,
) -> RosterOut:
    principal = current_principal(request)
    await get_session(session_id)
    f = rosters.RosterFilter(
        county_id=principal.county_id if principal.is_coordinator else county,
        status=status if status in ENROLLMENT_STATUSES else "",
        school=school,
        query=q,
    )
    rows, total = await rosters.roster(session_id, f, limit=max(1, min(limit, 1000)), offset=max(0, offset))
    questions = await answers.session_questions(session_id, answers.visible_to(principal.role))
    given = await answers.answers_of(session_id) if questions else {}
    return RosterOut(
        total=total,
        rows=[
            RosterRow(
                enrollment_id=r.id,
                status=r.status,
                waitlist_position=r.position,
                name=r.name,
                county=r.county_name,
                school=r.school_name,
                subject=r.subject,
                phone_masked=r.phone_masked,
                id_masked=r.id_masked,
                manual_code=display_manual_code(r.manual_code),
                answers=_answers_out(questions, given.get(r.id)),
            )
            for r in rows
        ],
    )


@post(
    "/api/v1/sessions/{session_id:int}/decisions",
    name="api_decisions",
    tags=["enrollment"],
    summary="Approve or reject registrations/nominations in bulk (organisers)",
    guards=[organiser_only],
    status_code=200,
)
async def api_decide(
    request: Request[Any, Any, Any], session_id: FromPath[int], data: JSONBody[DecisionIn]
) -> DecisionOut:
    from training.errors import ValidationFailed

    if data.action not in ("approve", "reject"):
        raise ValidationFailed({"action": "invalid_choice"})
    principal = current_principal(request)
    result = await service.decide(
        session_id,
        data.enrollment_ids,
        data.action == "approve",
        actor=principal,
        base_url=base_url(request),
    )
    return DecisionOut(result.changed, result.skipped, result.promoted)


api_handlers: list[Any] = [api_sessions, api_register, api_me, api_roster, api_decide]

"""The survey's use cases: building (settings, questions, copying an earlier one), publishing and announcing,
answering through the teacher's link, results and the XLSX export. Audited where an organiser acts."""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from training import db, i18n
from training.audit import writer as audit
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.core.links import make_link_token
from training.errors import Conflict, DomainError, NotFound, ValidationFailed
from training.i18n import N_
from training.mail.states import MessageKind
from training.notify import service as notify
from training.notify.texts import shape
from training.programmes.sessions import Session, get_session
from training.programmes.tables import Block
from training.survey import logic, sql
from training.survey import messages as _messages  # noqa: F401  (registers the error texts)
from training.survey.logic import Question
from training.survey.states import CHOICE_KINDS, QuestionKind, SurveyStatus
from training.survey.tables import Survey, SurveyQuestion
from training.web.urls import absolute_url

MAX_PROMPT = 300
MAX_QUESTIONS = 40


@dataclass(frozen=True)
class SurveyInfo:
    id: int
    session_id: int
    title: str
    intro: str
    anonymous: bool
    opens_after_block: int | None
    required_for_certificate: bool
    status: SurveyStatus
    announced_at: datetime | None
    opens_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.status is SurveyStatus.PUBLISHED and now >= self.opens_at


def now_utc() -> datetime:
    return datetime.now(UTC)


async def _opens_at(row: dict[str, Any], session: Session) -> datetime:
    blocks = await Block.select(Block.id, Block.day, Block.ends_at, Block.cancelled).where(
        Block.session == session.id
    )
    return logic.opens_at(
        [(b["id"], b["day"], b["ends_at"], bool(b["cancelled"])) for b in blocks],
        row["opens_after_block"],
        session.ends_on,
        LOCAL_TZ,
    )


async def _info(row: dict[str, Any]) -> SurveyInfo:
    session = await get_session(int(row["session"]))
    return SurveyInfo(
        id=int(row["id"]),
        session_id=session.id,
        title=row["title"],
        intro=row["intro"],
        anonymous=bool(row["anonymous"]),
        opens_after_block=row["opens_after_block"],
        required_for_certificate=bool(row["required_for_certificate"]),
        status=SurveyStatus(row["status"]),
        announced_at=row["announced_at"],
        opens_at=await _opens_at(row, session),
    )


async def survey_of_session(session_id: int) -> SurveyInfo | None:
    row = await Survey.select().where(Survey.session == session_id).first()
    return await _info(row) if row else None


async def get_survey(survey_id: int) -> SurveyInfo:
    row = await Survey.select().where(Survey.id == survey_id).first()
    if row is None:
        raise NotFound()
    return await _info(row)


async def questions(survey_id: int) -> list[Question]:
    rows = (
        await SurveyQuestion.select()
        .where(SurveyQuestion.survey == survey_id)
        .order_by(SurveyQuestion.position)
        .order_by(SurveyQuestion.id)
    )
    return [logic.question_of(r) for r in rows]


# ---------------------------------------------------------------------------------------------------------------
# Building (organisers)


@dataclass(frozen=True)
class Settings:
    title: str
    intro: str
    anonymous: bool
    opens_after_block: int | None
    required_for_certificate: bool


async def save_settings(session_id: int, settings: Settings, actor: Actor | None) -> int:
    """Create the session's survey or change its settings; returns its id. Anonymity cannot change once answers
    exist (they were given under the other promise)."""
    session = await get_session(session_id)
    if settings.opens_after_block is not None and not await Block.exists().where(
        (Block.id == settings.opens_after_block) & (Block.session == session.id)
    ):
        raise ValidationFailed({"opens_after_block": "invalid_choice"})
    values: dict[Any, Any] = {
        "title": settings.title[:128],
        "intro": settings.intro,
        "anonymous": settings.anonymous,
        "opens_after_block": settings.opens_after_block,
        "required_for_certificate": settings.required_for_certificate,
    }
    async with db.transaction():
        row = await Survey.select().where(Survey.session == session_id).first()
        if row is None:
            survey_id = await db.insert("survey", {"session": session_id, **values})
            assert survey_id is not None
            await audit.record(actor, "create_survey", "session", session_id, values)
            return survey_id
        if bool(row["anonymous"]) != settings.anonymous and await sql.responded_count(row["id"]):
            raise ValidationFailed({"anonymous": "survey_anonymity_fixed"})
        await Survey.update({**values, "updated_at": now_utc()}).where(Survey.id == row["id"])
        changed = {k: [row[k], v] for k, v in values.items() if row[k] != v}
        if changed:
            await audit.record(actor, "update_survey", "session", session_id, changed)
        return int(row["id"])


async def _editable(survey_id: int) -> SurveyInfo:
    survey = await get_survey(survey_id)
    if survey.status is not SurveyStatus.DRAFT:
        raise Conflict("survey_not_draft")
    return survey


async def add_question(
    survey_id: int, kind: str, prompt: str, required: bool, options_text: str, actor: Actor | None
) -> int:
    survey = await _editable(survey_id)
    errors: dict[str, str] = {}
    prompt = prompt.strip()
    if not prompt:
        errors["prompt"] = "required"
    elif len(prompt) > MAX_PROMPT:
        errors["prompt"] = "survey_prompt_too_long"
    if kind not in tuple(QuestionKind):
        errors["kind"] = "invalid_choice"
    options: list[str] = []
    if kind in CHOICE_KINDS:
        options, problem = logic.parse_options(options_text)
        if problem:
            errors["options"] = problem
    existing = await questions(survey_id)
    if len(existing) >= MAX_QUESTIONS:
        errors["prompt"] = "survey_too_many_questions"
    if errors:
        raise ValidationFailed(errors)
    async with db.transaction():
        question_id = await db.insert(
            "survey_question",
            {
                "survey": survey_id,
                "position": len(existing) + 1,
                "kind": kind,
                "prompt": prompt,
                "required": required,
                "options": json.dumps(options, ensure_ascii=False),
            },
        )
        await audit.record(
            actor, "update_survey", "session", survey.session_id, {"question_added": [None, prompt]}
        )
    assert question_id is not None
    return question_id


async def delete_question(survey_id: int, question_id: int, actor: Actor | None) -> None:
    survey = await _editable(survey_id)
    async with db.transaction():
        row = (
            await SurveyQuestion.select(SurveyQuestion.prompt)
            .where((SurveyQuestion.id == question_id) & (SurveyQuestion.survey == survey_id))
            .first()
        )
        if row is None:
            raise NotFound()
        await SurveyQuestion.delete().where(SurveyQuestion.id == question_id)
        await audit.record(
            actor, "update_survey", "session", survey.session_id, {"question_deleted": [row["prompt"], None]}
        )


async def move_question(survey_id: int, question_id: int, step: int) -> None:
    """Swap a question with its neighbour above (step -1) or below (+1)."""
    await _editable(survey_id)
    ordered = await questions(survey_id)
    ids = [q.id for q in ordered]
    if question_id not in ids:
        raise NotFound()
    i = ids.index(question_id)
    j = i + step
    if not 0 <= j < len(ids):
        return
    ids[i], ids[j] = ids[j], ids[i]
    async with db.transaction():
        for position, qid in enumerate(ids, start=1):
            await SurveyQuestion.update({SurveyQuestion.position: position}).where(SurveyQuestion.id == qid)


async def earlier_surveys(session_id: int) -> list[dict[str, Any]]:
    return await sql.earlier_surveys(session_id)


async def copy_from(session_id: int, source_survey_id: int, actor: Actor | None) -> int:
    """Make the session's survey from an earlier session's (same programme): settings and questions. The target
    must be a draft without questions; the opening block is not copied (blocks belong to their session)."""
    offered = {int(s["id"]) for s in await sql.earlier_surveys(session_id)}
    if source_survey_id not in offered:
        raise ValidationFailed({"source": "invalid_choice"})
    source = await get_survey(source_survey_id)
    target = await survey_of_session(session_id)
    if target is not None:
        if target.status is not SurveyStatus.DRAFT:
            raise Conflict("survey_not_draft")
        if await questions(target.id):
            raise ValidationFailed({"source": "survey_not_empty"})
    source_questions = await questions(source_survey_id)
    async with db.transaction():
        survey_id = await save_settings(
            session_id,
            Settings(source.title, source.intro, source.anonymous, None, source.required_for_certificate),
            actor,
        )
        for position, q in enumerate(source_questions, start=1):
            await db.insert(
                "survey_question",
                {
                    "survey": survey_id,
                    "position": position,
                    "kind": str(q.kind),
                    "prompt": q.prompt,
                    "required": q.required,
                    "options": json.dumps(list(q.options), ensure_ascii=False),
                },
            )
        await audit.record(
            actor,
            "copy_survey",
            "session",
            session_id,
            {"from_session": source.session_id, "questions": len(source_questions)},
        )
    return survey_id


async def publish(survey_id: int, actor: Actor | None, base_url: str, now: datetime | None = None) -> int:
    """Draft → published. Once its opening has passed, the teachers are told at once (else the background task
    tells them when it comes); returns how many were told now."""
    survey = await _editable(survey_id)
    if not await questions(survey_id):
        raise ValidationFailed({"questions": "survey_no_questions"})
    async with db.transaction():
        await Survey.update({Survey.status: SurveyStatus.PUBLISHED, Survey.updated_at: now_utc()}).where(
            Survey.id == survey_id
        )
        await audit.record(actor, "publish_survey", "session", survey.session_id, {})
    if (now or now_utc()) >= survey.opens_at:
        return await announce(survey_id, base_url)
    return 0


async def close(survey_id: int, actor: Actor | None) -> None:
    survey = await get_survey(survey_id)
    if survey.status is not SurveyStatus.PUBLISHED:
        raise Conflict("survey_not_published")
    async with db.transaction():
        await Survey.update({Survey.status: SurveyStatus.CLOSED, Survey.updated_at: now_utc()}).where(
            Survey.id == survey_id
        )
        await audit.record(actor, "close_survey", "session", survey.session_id, {})


# ---------------------------------------------------------------------------------------------------------------
# Announcing (through the outbox: her preferred channel, as broadcasts go)

ANNOUNCE_SUBJECT = N_("Evaluation survey: {title}")
ANNOUNCE_BODY = N_(
    "{name}, thank you for taking part in {title}. Please tell us what you thought of it: the evaluation survey "
    "takes a few minutes{anonymous}."
)
ANONYMOUS_NOTE = N_(" and your answers are anonymous")


def survey_url(base_url: str, enrollment_id: int) -> str:
    from training import keys

    token = make_link_token(keys.current().teacher_link, enrollment_id)
    return absolute_url(base_url, "survey_answer", token=token)


def survey_short_url(base_url: str, enrollment_id: int) -> str:
    from training import keys
    from training.sms.links import make_short_code

    return absolute_url(
        base_url, "survey_short_link", code=make_short_code(keys.current().teacher_link, enrollment_id)
    )


async def announce(survey_id: int, base_url: str) -> int:
    """Queue the announcement to every confirmed teacher of the session (each once: the dedupe key), in one
    transaction with the survey's `announced_at`; returns how many were queued now."""
    survey = await get_survey(survey_id)
    session = await get_session(survey.session_id)
    recipients = await notify.recipients(
        'e."session" = {} AND e."status" = \'confirmed\' AND NOT t."erased"', survey.session_id
    )
    told = 0
    async with db.transaction():
        claimed = await db.fetch(
            'UPDATE "survey" SET "announced_at" = {} WHERE "id" = {} AND "announced_at" IS NULL RETURNING "id"',
            now_utc(),
            survey_id,
        )
        if not claimed:
            return 0
        for r in recipients:
            with i18n.language("zh_Hans"):
                body = i18n._(
                    ANNOUNCE_BODY,
                    name=r.name,
                    title=session.title,
                    anonymous=i18n._(ANONYMOUS_NOTE) if survey.anonymous else "",
                )
                subject = i18n._(ANNOUNCE_SUBJECT, title=session.title)
            message = notify.Message(
                kind=MessageKind.BROADCAST,
                subject=subject,
                email_text=f"{body}\n\n{survey_url(base_url, r.enrollment_id)}\n",
                sms_text=shape(body, survey_short_url(base_url, r.enrollment_id)),
            )
            if await notify.send(r, message, dedupe_key=f"survey:{survey_id}:{r.enrollment_id}"):
                told += 1
    return told


async def announce_due(base_url: str, now: datetime | None = None) -> int:
    """Announce every published survey whose opening has passed and that was not announced yet."""
    rows = await Survey.select(Survey.id).where(
        (Survey.status == SurveyStatus.PUBLISHED) & Survey.announced_at.is_null()
    )
    told = 0
    for row in rows:
        survey = await get_survey(int(row["id"]))
        if (now or now_utc()) >= survey.opens_at:
            told += await announce(survey.id, base_url)
    return told


# ---------------------------------------------------------------------------------------------------------------
# Answering (the teacher, through her signed link)


@dataclass(frozen=True)
class Invitation:
    """What the teacher's survey page shows: `state` is open, answered, not_open, closed or not_invited."""

    enrollment_id: int
    teacher_name: str
    session: Session
    survey: SurveyInfo | None
    questions: list[Question]
    state: str


async def has_responded(enrollment_id: int) -> bool:
    return bool(
        await db.fetch_one('SELECT 1 AS "x" FROM "survey_responded" WHERE "enrollment" = {}', enrollment_id)
    )


async def invitation(enrollment_id: int, now: datetime | None = None) -> Invitation:
    row = await sql.enrollment_for_survey(enrollment_id)
    if row is None or row["erased"]:
        raise NotFound()
    session = await get_session(int(row["session"]))
    survey = await survey_of_session(session.id)
    if survey is None or survey.status is SurveyStatus.DRAFT or row["status"] != "confirmed":
        state = "not_invited"
    elif await has_responded(enrollment_id):
        state = "answered"
    elif survey.status is SurveyStatus.CLOSED:
        state = "closed"
    elif not survey.is_open(now or now_utc()):
        state = "not_open"
    else:
        state = "open"
    return Invitation(
        enrollment_id,
        row["name"],
        session,
        survey,
        await questions(survey.id) if survey else [],
        state,
    )


class AlreadyAnswered(DomainError):
    def __init__(self) -> None:
        super().__init__("survey_already_answered", status=409)


async def submit(enrollment_id: int, submitted: dict[str, list[str]], now: datetime | None = None) -> None:
    """Record her answers once. The marker (`survey_responded`, unique per enrollment) and the response are
    written in one transaction: a second submit (another tab, a double tap) finds the marker and changes nothing.
    Anonymous surveys store the response without enrollment, time or an ordered id."""
    found = await invitation(enrollment_id, now)
    if found.state == "answered":
        raise AlreadyAnswered()
    if found.state != "open" or found.survey is None:
        raise Conflict(f"survey_{found.state}")
    answers, errors = logic.read_answers(found.questions, submitted)
    if errors:
        raise ValidationFailed(errors)
    row = await sql.enrollment_for_survey(enrollment_id)
    assert row is not None
    survey = found.survey
    async with db.transaction():
        marker = await db.insert(
            "survey_responded",
            {"survey": survey.id, "enrollment": enrollment_id},
            on_conflict='ON CONFLICT ("enrollment") DO NOTHING',
        )
        if marker is None:
            raise AlreadyAnswered()
        values: dict[str, Any] = {
            "survey": survey.id,
            "county": row["county"],
            "answers": json.dumps(answers, ensure_ascii=False),
        }
        if not survey.anonymous:
            values |= {"enrollment": enrollment_id, "submitted_at": now or now_utc()}
        for _ in range(8):  # a random id: the rows' ids (and SQLite's storage order) say nothing of when
            if await db.insert(
                "survey_response",
                {"id": secrets.randbelow(2**31 - 2) + 1, **values},
                on_conflict='ON CONFLICT ("id") DO NOTHING',
            ):
                break
        else:  # pragma: no cover - eight collisions in 2**31
            raise DomainError("survey_not_saved", status=503)


async def certificate_waits_for(enrollment_id: int) -> bool:
    """True when her session's survey asks for a response before the certificate and she has not answered (a
    survey not yet open or already closed asks nothing of her)."""
    row = await sql.certificate_rule(enrollment_id)  # one query for the usual case: no such rule
    if row is None:
        return False
    survey = await survey_of_session(int(row["session"]))
    if survey is None or not survey.required_for_certificate or survey.status is not SurveyStatus.PUBLISHED:
        return False
    if not survey.is_open(now_utc()):
        return False
    return not await has_responded(enrollment_id)


# ---------------------------------------------------------------------------------------------------------------
# Results (organisers)


@dataclass
class Results:
    survey: SurveyInfo
    session: Session
    questions: list[Question]
    per_question: list[logic.QuestionResult]
    responses: int
    invited: int
    counties: list[logic.CountyRow]
    rating_questions: list[Question]
    rows: list[dict[str, Any]]

    @property
    def rate(self) -> float:
        return round(100.0 * self.responses / self.invited, 1) if self.invited else 0.0


async def results(survey_id: int) -> Results:
    survey = await get_survey(survey_id)
    session = await get_session(survey.session_id)
    qs = await questions(survey_id)
    rows = await sql.responses(survey_id)
    for r in rows:
        r["answers"] = json.loads(r["answers"] or "{}")
    invited_rows = await sql.invited_by_county(session.id)
    invited = {r["county"]: int(r["n"]) for r in invited_rows}
    ratings = [q for q in qs if q.kind is QuestionKind.RATING]
    return Results(
        survey=survey,
        session=session,
        questions=qs,
        per_question=logic.tally(qs, (r["answers"] for r in rows)),
        responses=await sql.responded_count(survey_id),
        invited=sum(invited.values()),
        counties=logic.county_rows(
            ratings,
            ((r["county"], r["answers"]) for r in rows),
            anonymous=survey.anonymous,
            invited=None if survey.anonymous else invited,
        ),
        rating_questions=ratings,
        rows=rows,
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is neutralised (as the roster export does)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


async def export_xlsx(survey_id: int, actor: Actor | None) -> tuple[str, bytes]:
    """Every response, one row each (named: name, school, county, time; anonymous: county only), and a sheet
    of per-question counts; recorded in the audit log."""
    from openpyxl import Workbook

    r = await results(survey_id)
    with i18n.language("zh_Hans"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = i18n._(N_("Answer sheets"))
        head = [i18n._(N_("County"))]
        if not r.survey.anonymous:
            head = [i18n._(N_("Name")), i18n._(N_("School")), *head, i18n._(N_("Answered at"))]
        sheet.append(head + [q.prompt for q in r.questions])
        for row in r.rows:
            lead: list[Any] = [row["county"]]
            if not r.survey.anonymous:
                at = row["submitted_at"]
                when = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else ""
                lead = [row["name"], row["school"], row["county"], when]
            sheet.append(
                [_cell(v) for v in lead]
                + [_cell(logic.answer_text(q, row["answers"].get(str(q.id)))) for q in r.questions]
            )
        summary = workbook.create_sheet(i18n._(N_("Summary")))
        summary.append([i18n._(N_("Survey question")), i18n._(N_("Answer")), i18n._(N_("Count"))])
        for result in r.per_question:
            if result.question.kind is QuestionKind.TEXT:
                summary.append([_cell(result.question.prompt), "", result.answered])
                continue
            for label, count in zip(result.labels, result.counts, strict=True):
                summary.append([_cell(result.question.prompt), _cell(label), count])
            if result.mean is not None:
                summary.append([_cell(result.question.prompt), i18n._(N_("Mean")), result.mean])
    buffer = io.BytesIO()
    workbook.save(buffer)
    async with db.transaction():
        await audit.record(
            actor,
            "download_survey_results",
            "session",
            r.session.id,
            {"format": "xlsx", "responses": len(r.rows), "anonymous": r.survey.anonymous},
        )
    return f"满意度测评-{r.session.id}.xlsx", buffer.getvalue()

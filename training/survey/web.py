"""The survey on the web: organisers build, publish and read it (/admin/…); the teacher answers through her
signed link (/me/{token}/survey, and /ms/{code} from an SMS)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from training import keys, textguard
from training.core.clock import LOCAL_TZ
from training.core.links import make_link_token
from training.enrollment.sections import SelfServiceSection
from training.enrollment.self_service import EnrollmentView
from training.enrollment.service import enrollment_for_link
from training.errors import DomainError, NotFound, ValidationFailed
from training.i18n import N_
from training.programmes.sessions import get_session
from training.programmes.tables import Block
from training.sms.links import read_short_code
from training.stats.charts import bar_chart
from training.survey import service
from training.survey.api import route_handlers as api_handlers
from training.survey.logic import Question
from training.survey.states import QuestionKind, SurveyStatus
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

log = logging.getLogger("training.survey")

Req = Request[Any, Any, Any]

RATING_WORDS = (
    N_("Very dissatisfied"),
    N_("Dissatisfied"),
    N_("Neutral"),
    N_("Satisfied"),
    N_("Very satisfied"),
)
STATUS_LABELS = {
    SurveyStatus.DRAFT: N_("Draft"),
    SurveyStatus.PUBLISHED: N_("Published"),
    SurveyStatus.CLOSED: N_("Closed"),
}
NOTICES = {
    "saved": N_("Saved."),
    "copied": N_("Copied. Check the questions, then publish."),
    "question_added": N_("Question added."),
    "deleted": N_("Question deleted."),
    "published": N_("Published."),
    "closed": N_("The survey is closed."),
}
KIND_LABELS = {
    QuestionKind.RATING: N_("Rating 1–5"),
    QuestionKind.SINGLE: N_("Single choice"),
    QuestionKind.MULTIPLE: N_("Multiple choice"),
    QuestionKind.TEXT: N_("Free text"),
}


def _base_url(request: Req) -> str:
    return str(request.app.state["settings"].base_url)


def _local(moment: Any) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


# ---------------------------------------------------------------------------------------------------------------
# Organisers


@get("/admin/surveys", name="survey_index", guards=[organiser_only], include_in_schema=False)
async def index_page() -> Template:
    from training.survey import sql

    return Template(
        template_name="survey/index.html",
        context={"sessions": await sql.sessions_with_surveys(), "status_labels": STATUS_LABELS},
    )


async def _build_page(
    session_id: int,
    *,
    settings_form: FormState | None = None,
    question_form: FormState | None = None,
    copy_form: FormState | None = None,
    problem: str = "",
    notice: str = "",
    told: str = "",
    status_code: int = 200,
) -> Template:
    session = await get_session(session_id)
    survey = await service.survey_of_session(session_id)
    blocks = (
        await Block.select(Block.id, Block.day, Block.half_day, Block.starts_at, Block.ends_at, Block.topic)
        .where((Block.session == session_id) & (Block.cancelled == False))  # noqa: E712
        .order_by(Block.day)
        .order_by(Block.starts_at)
    )
    if settings_form is None:
        settings_form = FormState(
            values={
                "title": survey.title if survey else f"{session.title} 满意度测评",
                "intro": survey.intro if survey else "",
                "anonymous": "1" if (survey is None or survey.anonymous) else "",
                "opens_after_block": str(survey.opens_after_block or "") if survey else "",
                "required_for_certificate": "1" if survey and survey.required_for_certificate else "",
            }
        )
    from training.survey import sql

    return Template(
        template_name="survey/build.html",
        context={
            "session": session,
            "survey": survey,
            "questions": await service.questions(survey.id) if survey else [],
            "blocks": blocks,
            "earlier": await service.earlier_surveys(session_id),
            "form": settings_form,
            "qform": question_form or FormState(values={"kind": "rating", "required": "1"}),
            "cform": copy_form or FormState(),
            "kind_labels": KIND_LABELS,
            "kinds": tuple(QuestionKind),
            "opens_at": _local(survey.opens_at) if survey else "",
            "announced_at": _local(survey.announced_at) if survey else "",
            "responded": await sql.responded_count(survey.id) if survey else 0,
            "problem": problem,
            "notice": notice,
            "notices": NOTICES,
            "told": told,
            "status_labels": STATUS_LABELS,
        },
        status_code=status_code,
    )


@get(
    "/admin/sessions/{session_id:int}/survey",
    name="survey_build",
    guards=[organiser_only],
    include_in_schema=False,
)
async def build_page(
    session_id: FromPath[int], notice: FromQuery[str] = "", told: FromQuery[str] = ""
) -> Template:
    return await _build_page(session_id, notice=notice, told=told)


@post(
    "/admin/sessions/{session_id:int}/survey",
    name="survey_settings_save",
    guards=[organiser_only],
    include_in_schema=False,
)
async def settings_save(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    title = form.text("title", required=True, max_length=128)
    intro = form.text("intro", max_length=2000)
    block = form.integer("opens_after_block", high=2**31)
    if form.ok:
        try:
            await service.save_settings(
                session_id,
                service.Settings(
                    title,
                    intro,
                    form.get("anonymous") == "1",
                    block,
                    form.get("required_for_certificate") == "1",
                ),
                current_principal(request),
            )
        except ValidationFailed as exc:
            for name, code in (exc.fields or {}).items():
                form.error(name, code)
    if not form.ok:
        return await _build_page(session_id, settings_form=form, status_code=422)
    return Redirect(path=path_for("survey_build", session_id=session_id, query={"notice": "saved"}))


@post(
    "/admin/sessions/{session_id:int}/survey/copy",
    name="survey_copy",
    guards=[organiser_only],
    include_in_schema=False,
)
async def copy_submit(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    source = form.integer("source", required=True, high=2**31)
    if form.ok and source is not None:
        try:
            await service.copy_from(session_id, source, current_principal(request))
        except ValidationFailed as exc:
            for name, code in (exc.fields or {}).items():
                form.error(name, code)
    if not form.ok:
        return await _build_page(session_id, copy_form=form, status_code=422)
    return Redirect(path=path_for("survey_build", session_id=session_id, query={"notice": "copied"}))


@post(
    "/admin/surveys/{survey_id:int}/questions",
    name="survey_question_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_add(request: Req, survey_id: FromPath[int]) -> Template | Redirect:
    survey = await service.get_survey(survey_id)
    form = await read_form(request, redraw=True)
    if form.ok:
        try:
            await service.add_question(
                survey_id,
                form.get("kind"),
                form.get("prompt"),
                form.get("required") == "1",
                form.get("options"),
                current_principal(request),
            )
        except ValidationFailed as exc:
            for name, code in (exc.fields or {}).items():
                form.error(name, code)
    if not form.ok:
        return await _build_page(survey.session_id, question_form=form, status_code=422)
    return Redirect(
        path=path_for("survey_build", session_id=survey.session_id, query={"notice": "question_added"})
    )


@post(
    "/admin/surveys/{survey_id:int}/questions/{question_id:int}/delete",
    name="survey_question_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_delete(request: Req, survey_id: FromPath[int], question_id: FromPath[int]) -> Any:
    survey = await service.get_survey(survey_id)
    form = await read_form(request)
    question = next((q for q in await service.questions(survey_id) if q.id == question_id), None)
    if question is None:
        raise NotFound()
    if not is_confirmed(form.values):
        from training.i18n import _

        return confirmation_page(
            Confirmation(
                heading=_(N_("Delete this question?")),
                action=path_for("survey_question_delete", survey_id=survey_id, question_id=question_id),
                button=_(N_("Delete the survey question")),
                back=path_for("survey_build", session_id=survey.session_id),
                facts=[question.prompt],
            )
        )
    await service.delete_question(survey_id, question_id, current_principal(request))
    return Redirect(path=path_for("survey_build", session_id=survey.session_id, query={"notice": "deleted"}))


@post(
    "/admin/surveys/{survey_id:int}/questions/{question_id:int}/move",
    name="survey_question_move",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_move(request: Req, survey_id: FromPath[int], question_id: FromPath[int]) -> Redirect:
    survey = await service.get_survey(survey_id)
    form = await read_form(request)
    await service.move_question(survey_id, question_id, -1 if form.get("step") == "up" else 1)
    return Redirect(path=path_for("survey_build", session_id=survey.session_id))


@post(
    "/admin/surveys/{survey_id:int}/publish",
    name="survey_publish",
    guards=[organiser_only],
    include_in_schema=False,
)
async def publish_submit(request: Req, survey_id: FromPath[int]) -> Any:
    from training.i18n import _
    from training.survey import sql

    survey = await service.get_survey(survey_id)
    form = await read_form(request)
    if not is_confirmed(form.values):
        invited = sum(int(r["n"]) for r in await sql.invited_by_county(survey.session_id))
        return confirmation_page(
            Confirmation(
                heading=_(N_("Publish the survey?")),
                action=path_for("survey_publish", survey_id=survey_id),
                button=_(N_("Publish")),
                back=path_for("survey_build", session_id=survey.session_id),
                people=invited,
                people_label=_(N_("confirmed teachers will be invited")),
                facts=[
                    _(
                        N_("It opens at {at}; the teachers are told then by SMS or email."),
                        at=_local(survey.opens_at),
                    ),
                    _(N_("Its questions can no longer change once it is published.")),
                ],
                danger=False,
            )
        )
    try:
        told = await service.publish(survey_id, current_principal(request), _base_url(request))
    except ValidationFailed:
        return await _build_page(survey.session_id, problem="survey_no_questions", status_code=422)
    return Redirect(
        path=path_for(
            "survey_build", session_id=survey.session_id, query={"notice": "published", "told": str(told)}
        )
    )


@post(
    "/admin/surveys/{survey_id:int}/close",
    name="survey_close",
    guards=[organiser_only],
    include_in_schema=False,
)
async def close_submit(request: Req, survey_id: FromPath[int]) -> Any:
    from training.i18n import _

    survey = await service.get_survey(survey_id)
    form = await read_form(request)
    if not is_confirmed(form.values):
        return confirmation_page(
            Confirmation(
                heading=_(N_("Close the survey?")),
                action=path_for("survey_close", survey_id=survey_id),
                button=_(N_("Close the survey")),
                back=path_for("survey_build", session_id=survey.session_id),
                facts=[_(N_("Teachers who have not answered can no longer answer."))],
            )
        )
    await service.close(survey_id, current_principal(request))
    return Redirect(path=path_for("survey_build", session_id=survey.session_id, query={"notice": "closed"}))


def _charts(results: service.Results) -> dict[int, str]:
    from training.i18n import _

    charts: dict[int, str] = {}
    for r in results.per_question:
        if r.question.kind is QuestionKind.TEXT:
            continue
        labels = (
            [f"{score} {_(word)}" for score, word in zip(r.labels, RATING_WORDS, strict=True)]
            if r.question.kind is QuestionKind.RATING
            else r.labels
        )
        charts[r.question.id] = bar_chart(r.question.prompt, labels, [(_(N_("Answer sheets")), r.counts)])
    return charts


@get(
    "/admin/surveys/{survey_id:int}/results",
    name="survey_results",
    guards=[organiser_only],
    include_in_schema=False,
)
async def results_page(survey_id: FromPath[int]) -> Template:
    results = await service.results(survey_id)
    return Template(
        template_name="survey/results.html",
        context={
            "r": results,
            "charts": _charts(results),
            "opens_at": _local(results.survey.opens_at),
            "kind_labels": KIND_LABELS,
        },
    )


@get(
    "/admin/surveys/{survey_id:int}/results.xlsx",
    name="survey_export",
    guards=[organiser_only],
    include_in_schema=False,
)
async def export_xlsx(request: Req, survey_id: FromPath[int]) -> Response[bytes]:
    filename, content = await service.export_xlsx(survey_id, current_principal(request))
    return Response(
        content,
        media_type=service.XLSX_TYPE,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


# ---------------------------------------------------------------------------------------------------------------
# The teacher


def _answer_page(
    token: str,
    found: service.Invitation,
    *,
    typed: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Template:
    return Template(
        template_name="survey/answer.html",
        context={
            "token": token,
            "inv": found,
            "typed": typed or {},
            "errors": errors or {},
            "rating_words": RATING_WORDS,
            "opens_at": _local(found.survey.opens_at) if found.survey else "",
            "notice": notice,
            "back": path_for("enrollment_status", token=token),
        },
        status_code=status_code,
    )


@get("/me/{token:str}/survey", name="survey_answer", include_in_schema=False)
async def answer_page(token: FromPath[str], notice: FromQuery[str] = "") -> Template:
    enrollment_id = enrollment_for_link(token)
    return _answer_page(token, await service.invitation(enrollment_id), notice=notice)


def _submitted(questions: list[Question], form: Any) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The posted answers by field, and the fields whose text was refused (kept without the refused characters)."""
    typed: dict[str, list[str]] = {}
    refused: dict[str, str] = {}
    for q in questions:
        values = [v for v in form.getall(q.field, []) if isinstance(v, str)]
        cleaned = []
        for value in values:
            reason = textguard.problem(value)
            if reason:
                refused[q.field] = reason
                value = textguard.cleaned(value)
            cleaned.append(value)
        typed[q.field] = cleaned
    return typed, refused


@post("/me/{token:str}/survey", name="survey_submit", include_in_schema=False)
async def answer_submit(request: Req, token: FromPath[str]) -> Template | Redirect:
    enrollment_id = enrollment_for_link(token)
    found = await service.invitation(enrollment_id)
    if found.state == "answered":
        return _answer_page(token, found, status_code=409)
    if found.state != "open":
        return _answer_page(token, found, status_code=409)
    form = await request.form()
    typed, refused = _submitted(found.questions, form)
    if refused:
        return _answer_page(token, found, typed=typed, errors=refused, status_code=422)
    try:
        await service.submit(enrollment_id, typed)
    except ValidationFailed as exc:
        return _answer_page(token, found, typed=typed, errors=dict(exc.fields or {}), status_code=422)
    except service.AlreadyAnswered:
        return _answer_page(token, await service.invitation(enrollment_id), status_code=409)
    return Redirect(path=path_for("survey_answer", token=token, query={"notice": "thanks"}))


@get("/ms/{code:str}", name="survey_short_link", include_in_schema=False)
async def short_link(code: FromPath[str]) -> Redirect:
    """The SMS's short link: a fresh signed link to her survey page."""
    enrollment_id = read_short_code(keys.current().teacher_link, code)
    if enrollment_id is None:
        raise DomainError("invalid_link", status=404)
    token = make_link_token(keys.current().teacher_link, enrollment_id)
    return Redirect(path=path_for("survey_answer", token=token))


async def certificate_gate(enrollment_id: int, token: str) -> str | None:
    """A certificate download waits for her response when the survey says so (registered with certificates by
    training/wiring.py: certificates does not know the survey)."""
    if await service.certificate_waits_for(enrollment_id):
        return path_for("survey_answer", token=token, query={"notice": "certificate"})
    return None


async def _survey_section(view: EnrollmentView) -> dict[str, Any] | None:
    found = await service.invitation(view.id)
    if found.state in ("not_invited", "not_open"):
        return None
    return {"state": found.state, "title": found.survey.title if found.survey else ""}


# The teacher's /me page: her survey, to answer or answered (registered by training/wiring.py).
SELF_SERVICE_SECTION = SelfServiceSection("survey", 30, "survey/_me_survey.html", _survey_section)


ANNOUNCE_INTERVAL_S = 300


async def announce_surveys(settings: Any) -> None:
    """Every five minutes, announce the published surveys whose opening has come."""
    while True:
        try:
            told = await service.announce_due(settings.base_url)
            if told:
                log.info("surveys announced to %d teachers", told)
        except Exception:  # the next round tries again
            log.exception("announcing surveys failed")
        await asyncio.sleep(ANNOUNCE_INTERVAL_S)


route_handlers: list[Any] = [
    index_page,
    build_page,
    settings_save,
    copy_submit,
    question_add,
    question_delete,
    question_move,
    publish_submit,
    close_submit,
    results_page,
    export_xlsx,
    answer_page,
    answer_submit,
    short_link,
    *api_handlers,
]
nav_items = [NavItem(N_("Surveys"), "survey_index", ("organiser",), order=64)]
background_tasks = [announce_surveys]

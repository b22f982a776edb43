"""The roster's answers form: organisers read and fill in one enrollment's answers to every question of the
session (staff-only ones included). Organisers only; a coordinator's roster shows her teachers' answers read-only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from training import db
from training.enrollment import answers, service
from training.enrollment.self_service import EnrollmentView
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.urls import path_for

Req = Request[Any, Any, Any]


async def _page(view: EnrollmentView, form: FormState | None = None, status: int = 200) -> Template:
    questions = await answers.session_questions(view.session.id, answers.STAFF_FORM)
    given = (await answers.answers_of(view.session.id, view.id)).get(view.id, {})
    current = [q for q in questions if not q.archived]
    return Template(
        template_name="enrollment/answers.html",
        context={
            "v": view,
            "questions": current,
            "history": [
                (q, cell)
                for q, cell in zip(questions, answers.cells(questions, given), strict=True)
                if q.archived or cell.answered_label
            ],
            "form": form or FormState(values=answers.form_values(current, given)),
        },
        status_code=status,
    )


@get(
    "/admin/enrollment/enrollments/{enrollment_id:int}/answers",
    name="enrollment_answers",
    guards=[organiser_only],
    include_in_schema=False,
)
async def answers_page(enrollment_id: FromPath[int]) -> Template:
    return await _page(await service.view(enrollment_id))


@post(
    "/admin/enrollment/enrollments/{enrollment_id:int}/answers",
    name="enrollment_answers_save",
    guards=[organiser_only],
    include_in_schema=False,
)
async def answers_save(request: Req, enrollment_id: FromPath[int]) -> Template | Redirect:
    view = await service.view(enrollment_id)
    form = await read_form(request, redraw=True)
    questions = await answers.form_questions(view.session.id, answers.STAFF_FORM)
    # Organisers must give the staff-only answers marked required; teachers' and coordinators' answers they may
    # correct or leave empty.
    parsed = answers.parse(questions, form.values, answers.STAFF_FORM, enforce_required=answers.STAFF_ONLY)
    form.errors.update(parsed.errors)
    form.error_params.update(parsed.error_params)
    if not form.ok:
        return await _page(view, form, status=422)
    async with db.transaction():
        await answers.save(
            enrollment_id, questions, parsed.values, actor=current_principal(request), clear_missing=True
        )
    return Redirect(
        path=path_for("enrollment_roster", session_id=view.session.id, query={"done": "answers-1"})
    )


answers_handlers: list[Any] = [answers_page, answers_save]

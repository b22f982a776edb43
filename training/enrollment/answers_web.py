"""The roster's answers form of one enrollment: organisers read and fill in the answers to every question of the
session (staff-only ones included); a county coordinator those of her county's nominees in a nomination session
(the teacher and coordinator questions), e.g. after nominating a teacher on file in one click."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from training import db
from training.core.actor import Actor
from training.enrollment import answers, service
from training.enrollment.sections import SelfServiceSection
from training.enrollment.self_service import EnrollmentView
from training.enrollment.tables import Enrollment
from training.errors import Forbidden
from training.programmes.question_tables import Visibility
from training.programmes.states import RegistrationMode
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_or_coordinator
from training.web.urls import path_for

Req = Request[Any, Any, Any]


async def _answerer(principal: Actor, view: EnrollmentView) -> tuple[Visibility, ...]:
    """What this staff member answers for this enrollment; Forbidden when nothing."""
    if principal.is_organiser:
        return answers.STAFF_FORM
    row = await Enrollment.select(Enrollment.county).where(Enrollment.id == view.id).first()
    if (
        principal.is_coordinator
        and row is not None
        and principal.may_see_county(int(row["county"]))
        and view.session.mode == RegistrationMode.NOMINATION
    ):
        return answers.NOMINATION_FORM
    raise Forbidden()


async def _page(
    view: EnrollmentView, answerer: tuple[Visibility, ...], form: FormState | None = None, status: int = 200
) -> Template:
    questions = await answers.session_questions(view.session.id, answerer)
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
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def answers_page(request: Req, enrollment_id: FromPath[int]) -> Template:
    view = await service.view(enrollment_id)
    return await _page(view, await _answerer(current_principal(request), view))


@post(
    "/admin/enrollment/enrollments/{enrollment_id:int}/answers",
    name="enrollment_answers_save",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def answers_save(request: Req, enrollment_id: FromPath[int]) -> Template | Redirect:
    principal = current_principal(request)
    view = await service.view(enrollment_id)
    answerer = await _answerer(principal, view)
    form = await read_form(request, redraw=True)
    questions = await answers.form_questions(view.session.id, answerer)
    # Organisers must give the staff-only answers marked required (teachers' and coordinators' answers they may
    # correct or leave empty); a coordinator the required answers of the nomination form.
    strict = answers.STAFF_ONLY if principal.is_organiser else answers.NOMINATION_FORM
    parsed = answers.parse(questions, form.values, answerer, enforce_required=strict)
    form.errors.update(parsed.errors)
    form.error_params.update(parsed.error_params)
    if not form.ok:
        return await _page(view, answerer, form, status=422)
    async with db.transaction():
        await answers.save(
            enrollment_id, questions, parsed.values, actor=current_principal(request), clear_missing=True
        )
    if principal.is_coordinator:  # she came from her nominees
        return Redirect(path=path_for("nominate_form", session_id=view.session.id) + "#nominees")
    return Redirect(
        path=path_for("enrollment_roster", session_id=view.session.id, query={"done": "answers-1"})
    )


answers_handlers: list[Any] = [answers_page, answers_save]


async def _my_answers(view: EnrollmentView) -> Mapping[str, Any] | None:
    """Her own answers to the session's teacher questions, with the wording she answered (None: none)."""
    questions = await answers.session_questions(view.session.id, answers.TEACHER_FORM)
    given = (await answers.answers_of(view.session.id, view.id)).get(view.id) if questions else None
    if not given:
        return None
    rows = [
        (a.label or q.label, cell.text)
        for q, cell in zip(questions, answers.cells(questions, given), strict=True)
        if (a := given.get(q.id)) is not None and cell.text
    ]
    return {"answers": rows} if rows else None


# The teacher's /me page shows her answers (training/enrollment/sections.py; registered by training/wiring.py).
SELF_SERVICE_SECTION = SelfServiceSection("answers", 15, "enrollment/_my_answers.html", _my_answers)

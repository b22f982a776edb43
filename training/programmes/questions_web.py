"""Organiser pages for a session's questions (Questions tab of the session setup): list, add, edit, reorder,
delete (archive when answered, after a confirmation). Organisers only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.errors import DomainError
from training.i18n import N_, gettext
from training.programmes import questions, rules, sessions
from training.programmes.questions import Question
from training.programmes.webforms import show_error
from training.rendering.labels import choices
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.urls import path_for

Req = Request[Any, Any, Any]


def _values_of(q: Question) -> dict[str, str]:
    return {
        "label": q.label,
        "kind": q.kind,
        "visibility": q.visibility,
        "key": q.key,
        "help_text": q.help_text,
        "choices": "\n".join(q.choices),
        "required": "1" if q.required else "",
    }


async def _page(
    session_id: int,
    form: FormState | None = None,
    *,
    alert: str | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    session = await sessions.get_session(session_id)
    listed = await questions.list_questions(session_id, archived=True)
    return Template(
        template_name="programmes/questions.html",
        context={
            "s": session,
            "questions": [q for q in listed if not q.archived],
            "archived": [q for q in listed if q.archived],
            "form": form or FormState(values={"kind": "text", "visibility": "teacher"}),
            "kinds": choices("question_kind"),
            "visibilities": choices("question_visibility"),
            "editable": rules.check_editable(session.status) is None,
            "alert": alert,
            "done": done,
        },
        status_code=status,
    )


@get(
    "/admin/sessions/{session_id:int}/questions",
    name="session_questions",
    guards=[organiser_only],
    include_in_schema=False,
)
async def questions_page(session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _page(session_id, done=done)


@post(
    "/admin/sessions/{session_id:int}/questions",
    name="question_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_add(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    if form.ok:
        try:
            await questions.create_question(
                current_principal(request), session_id, questions.draft_from_form(form.values)
            )
        except DomainError as exc:
            return await _page(session_id, form, alert=show_error(form, exc), status=exc.status)
        return Redirect(path=path_for("session_questions", session_id=session_id, query={"done": "added"}))
    return await _page(session_id, form, status=422)


async def _edit_page(
    q: Question, form: FormState, *, alert: str | None = None, status: int = 200
) -> Template:
    return Template(
        template_name="programmes/question_form.html",
        context={
            "s": await sessions.get_session(q.session_id),
            "q": q,
            "form": form,
            "kinds": choices("question_kind"),
            "visibilities": choices("question_visibility"),
            "answered": await questions.has_answers(q.id),
            "alert": alert,
        },
        status_code=status,
    )


@get(
    "/admin/questions/{question_id:int}/edit",
    name="question_edit",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_edit(question_id: FromPath[int]) -> Template:
    q = await questions.get_question(question_id)
    return await _edit_page(q, FormState(values=_values_of(q)))


@post(
    "/admin/questions/{question_id:int}/edit",
    name="question_update",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_update(request: Req, question_id: FromPath[int]) -> Template | Redirect:
    q = await questions.get_question(question_id)
    form = await read_form(request, redraw=True)
    if not form.ok:
        return await _edit_page(q, form, status=422)
    try:
        versioned = await questions.update_question(
            current_principal(request), question_id, questions.draft_from_form(form.values)
        )
    except DomainError as exc:
        return await _edit_page(q, form, alert=show_error(form, exc), status=exc.status)
    done = "versioned" if versioned else "saved"
    return Redirect(path=path_for("session_questions", session_id=q.session_id, query={"done": done}))


@post(
    "/admin/questions/{question_id:int}/move",
    name="question_move",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_move(request: Req, question_id: FromPath[int]) -> Redirect:
    q = await questions.get_question(question_id)
    form = await read_form(request)
    await questions.move_question(
        current_principal(request), question_id, -1 if form.get("step") == "up" else 1
    )
    return Redirect(path=path_for("session_questions", session_id=q.session_id) + f"#q-{question_id}")


@post(
    "/admin/questions/{question_id:int}/delete",
    name="question_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def question_delete(request: Req, question_id: FromPath[int]) -> Template | Redirect:
    q = await questions.get_question(question_id)
    form = await read_form(request)
    if not is_confirmed(form.values):
        answered = await questions.has_answers(question_id)
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Delete the question “{label}”?")).format(label=q.label),
                action=path_for("question_delete", question_id=question_id),
                button=gettext(N_("Delete the question")),
                back=path_for("session_questions", session_id=q.session_id),
                facts=[
                    gettext(
                        N_(
                            "People have answered it: it leaves the forms, and their answers stay on the roster, "
                            "in exports and in the API."
                        )
                    )
                    if answered
                    else gettext(N_("Nobody has answered it yet: it is deleted."))
                ],
            )
        )
    try:
        outcome = await questions.delete_question(current_principal(request), question_id)
    except DomainError as exc:
        return await _page(q.session_id, alert=exc.code, status=exc.status)
    return Redirect(path=path_for("session_questions", session_id=q.session_id, query={"done": outcome}))


route_handlers: list[Any] = [
    questions_page,
    question_add,
    question_edit,
    question_update,
    question_move,
    question_delete,
]

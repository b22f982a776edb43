"""Organiser pages for teacher records: search, edit any field with a reason, and the pending change requests
(old → new side by side, masked; a reveal of the plain values is audited) to confirm or reject."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.phones import is_valid_mobile, normalize_mobile
from training.errors import DomainError
from training.i18n import N_
from training.people import places, requests
from training.people.changes import shown
from training.people.fields import (
    EMAIL_MAX,
    EMAIL_PATTERN,
    ETHNICITIES,
    NAME_MAX,
    SCHOOL_MAX,
    SUBJECTS,
    TITLES,
)
from training.rendering.labels import choices
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

Req = Request[Any, Any, Any]


@get("/admin/teachers", name="teachers", guards=[organiser_only], include_in_schema=False)
async def teachers_page(q: FromQuery[str] = "") -> Template:
    query = q.strip()[:64]
    return Template(
        template_name="people/teachers.html",
        context={
            "query": query,
            "found": await requests.search(query, limit=50) if query else [],
            "pending_count": len(await requests.list_requests()),
        },
    )


async def _edit_page(
    teacher_id: int, form: FormState | None = None, alert: str = "", status: int = 200, done: str = ""
) -> Template:
    row = await requests.teacher_row(teacher_id)
    if form is None:
        form = FormState(
            values={
                "name": row["name"],
                "phone": "",
                "email": "",
                "county": str(row["county"]),
                "school_name": row["school_name"],
                "subject": row["subject"],
                "grade_band": row["grade_band"],
                "title": row["title"],
                "ethnicity": row["ethnicity"],
                "years_teaching": "" if row["years_teaching"] is None else str(row["years_teaching"]),
                "reason": "",
            }
        )
    counties = (await places.list_counties(limit=1000)).items
    return Template(
        template_name="people/teacher_edit.html",
        context={
            "teacher": row,
            "email_masked": shown("email", row["email"]),
            "form": form,
            "alert": alert,
            "done": done,
            "county_choices": [(str(c.id), f"{c.name} ({c.code})") for c in counties],
            "subjects": [(s, s) for s in SUBJECTS],
            "titles": [(t, t) for t in TITLES],
            "ethnicities": [(e, e) for e in ETHNICITIES],
            "bands": choices("grade_band"),
            "pending": await requests.list_requests(teacher_id=teacher_id),
        },
        status_code=status,
    )


@get(
    "/admin/teachers/{teacher_id:int}/edit",
    name="teacher_edit",
    guards=[organiser_only],
    include_in_schema=False,
)
async def teacher_edit(teacher_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _edit_page(teacher_id, done=done[:16])


def _values(form: FormState) -> dict[str, Any]:
    values: dict[str, Any] = {}
    name = form.text("name", required=True, max_length=NAME_MAX)
    values["name"] = " ".join(name.split())
    phone = form.get("phone").strip()
    if phone:
        if is_valid_mobile(phone):
            values["phone"] = normalize_mobile(phone)
        else:
            form.error("phone", "mobile_invalid")
    email = form.get("email").strip()
    if email:
        if len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email):
            form.error("email", "email_invalid")
        else:
            values["email"] = email
    values["county"] = form.integer("county", required=True, low=1)
    values["school_name"] = " ".join(form.text("school_name", required=True, max_length=SCHOOL_MAX).split())
    for name_, options in (("subject", SUBJECTS), ("title", TITLES), ("ethnicity", ETHNICITIES)):
        values[name_] = form.choice(name_, options)
    values["grade_band"] = form.choice("grade_band", tuple(v for v, _ in choices("grade_band")))
    years = form.integer("years_teaching", low=0, high=50)
    if years is not None:
        values["years_teaching"] = years
    return values


@post(
    "/admin/teachers/{teacher_id:int}/edit",
    name="teacher_update",
    guards=[organiser_only],
    include_in_schema=False,
)
async def teacher_update(request: Req, teacher_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    values = _values(form)
    reason = form.text("reason", required=True, max_length=requests.REASON_MAX)
    if values.get("county") is not None:
        try:
            await places.get_county(int(values["county"]))
        except DomainError:
            form.error("county", "invalid_choice")
    if not form.ok:
        return await _edit_page(teacher_id, form, status=422)
    try:
        changed = await requests.edit_by_organiser(
            teacher_id, values, actor=current_principal(request), reason=reason
        )
    except DomainError as exc:
        for name, code in exc.fields.items():
            form.error(name, code)
        return await _edit_page(teacher_id, form, alert=exc.code, status=exc.status)
    return Redirect(
        path=path_for(
            "teacher_edit", teacher_id=teacher_id, query={"done": "saved" if changed else "unchanged"}
        )
    )


async def _changes_page(
    *,
    revealed: dict[int, dict[str, tuple[Any, Any]]] | None = None,
    errors: dict[int, str] | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    return Template(
        template_name="people/teacher_changes.html",
        context={
            "pending": await requests.list_requests(),
            "revealed": revealed or {},
            "errors": errors or {},
            "done": done,
        },
        status_code=status,
    )


@get("/admin/teachers/changes", name="teacher_changes", guards=[organiser_only], include_in_schema=False)
async def changes_page(done: FromQuery[str] = "") -> Template:
    return await _changes_page(done=done[:16])


@post(
    "/admin/teachers/changes/{request_id:int}/reveal",
    name="teacher_change_reveal",
    guards=[organiser_only],
    include_in_schema=False,
)
async def change_reveal(request: Req, request_id: FromPath[int]) -> Template:
    plain = await requests.reveal(request_id, actor=current_principal(request))
    return await _changes_page(revealed={request_id: plain})


@post(
    "/admin/teachers/changes/{request_id:int}/decide",
    name="teacher_change_decide",
    guards=[organiser_only],
    include_in_schema=False,
)
async def change_decide(request: Req, request_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    reason = " ".join(form.get("reason").split())[: requests.REASON_MAX]
    action = form.get("action")
    principal = current_principal(request)
    try:
        if action == "confirm":
            await requests.confirm_by_organiser(request_id, actor=principal, reason=reason)
        elif action == "reject":
            await requests.reject(request_id, actor=principal, reason=reason)
        else:
            raise DomainError("invalid_choice")
    except DomainError as exc:
        code = exc.fields.get("reason", exc.code)
        return await _changes_page(errors={request_id: code}, status=exc.status if exc.status != 400 else 422)
    return Redirect(
        path=path_for("teacher_changes", query={"done": "confirmed" if action == "confirm" else "rejected"})
    )


teacher_handlers: list[Any] = [
    teachers_page,
    teacher_edit,
    teacher_update,
    changes_page,
    change_reveal,
    change_decide,
]
teacher_nav = [NavItem(N_("Teachers"), "teachers", ("organiser",), order=21)]

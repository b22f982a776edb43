"""Organiser handlers for a teacher's personal-data requests (export, erasure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from training.errors import NotFound
from training.people.tables import Teacher
from training.privacy.service import erase_teacher, export_teacher_data
from training.web.forms import read_form
from training.web.guards import current_principal, organiser_only
from training.web.urls import path_for


@get(
    "/admin/teachers/{teacher_id:int}/privacy",
    name="teacher_privacy",
    guards=[organiser_only],
    include_in_schema=False,
)
async def privacy_page(teacher_id: FromPath[int]) -> Template:
    teacher = (
        await Teacher.select(
            Teacher.id,
            Teacher.name,
            Teacher.id_masked,
            Teacher.phone_masked,
            Teacher.county.name,
            Teacher.erased,
        )
        .where(Teacher.id == teacher_id)
        .first()
    )
    if teacher is None:
        raise NotFound()
    return Template(template_name="privacy/teacher.html", context={"teacher": teacher, "error": ""})


@get(
    "/api/v1/teachers/{teacher_id:int}/personal-data",
    name="teacher_personal_data",
    guards=[organiser_only],
    tags=["privacy"],
    summary="Everything held about one teacher (PIPL access request); audited",
)
async def personal_data(
    request: Request[Any, Any, Any], teacher_id: FromPath[int]
) -> Response[dict[str, Any]]:
    principal = current_principal(request)
    data = await export_teacher_data(teacher_id, principal)
    return Response(
        data,
        headers={
            "Content-Disposition": f'attachment; filename="teacher-{teacher_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@post(
    "/admin/teachers/{teacher_id:int}/erase",
    name="teacher_erase",
    guards=[organiser_only],
    include_in_schema=False,
)
async def erase(request: Request[Any, Any, Any], teacher_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    reason = form.text("reason", required=True, max_length=500)
    if not form.ok:
        teacher = (
            await Teacher.select(
                Teacher.id,
                Teacher.name,
                Teacher.id_masked,
                Teacher.phone_masked,
                Teacher.county.name,
                Teacher.erased,
            )
            .where(Teacher.id == teacher_id)
            .first()
        )
        if teacher is None:
            raise NotFound()
        return Template(
            template_name="privacy/teacher.html",
            context={"teacher": teacher, "error": form.errors["reason"]},
            status_code=400,
        )
    principal = current_principal(request)
    await erase_teacher(teacher_id, principal, reason, data_dir=Path(request.app.state["settings"].data_dir))
    return Redirect(path=path_for("teacher_privacy", teacher_id=teacher_id))


route_handlers: list[Any] = [privacy_page, personal_data, erase]

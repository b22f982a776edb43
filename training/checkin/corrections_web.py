"""Pages for attendance corrections: a block's attendance (undo a scan with a reason; organisers mark late or
excused and set the session's rule for excused blocks), and the block's check-in window set from the timetable."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.checkin import corrections
from training.checkin.states import MarkKind
from training.errors import DomainError, ValidationFailed
from training.web.forms import FormState, read_form
from training.web.guards import checkin_staff, current_principal, organiser_only
from training.web.urls import path_for

Req = Request[Any, Any, Any]
MARK_CHOICES = ("", *(k.value for k in MarkKind))


async def _page(
    request: Req,
    block_id: int,
    *,
    form: FormState | None = None,
    form_for: str = "",
    done: str = "",
    status: int = 200,
) -> Template:
    sheet = await corrections.block_sheet(current_principal(request), block_id)
    return Template(
        template_name="checkin/attendance.html",
        context={
            "sheet": sheet,
            "b": sheet.block,
            "form": form or FormState(),
            "form_for": form_for,
            "done": done,
            "mark_kinds": [k.value for k in MarkKind],
        },
        status_code=status,
    )


@get(
    "/checkin/blocks/{block_id:int}/attendance",
    name="checkin_block_attendance",
    guards=[checkin_staff],
    include_in_schema=False,
)
async def attendance_page(request: Req, block_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _page(request, block_id, done=done)


def _back(block_id: int, done: str, anchor: str = "") -> Redirect:
    path = path_for("checkin_block_attendance", block_id=block_id, query={"done": done})
    return Redirect(path=path + (f"#{anchor}" if anchor else ""))


@post(
    "/checkin/blocks/{block_id:int}/check-ins/{check_in_id:int}/void",
    name="checkin_void",
    guards=[checkin_staff],
    include_in_schema=False,
)
async def void(request: Req, block_id: FromPath[int], check_in_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    if form.ok:
        try:
            await corrections.void_check_in(current_principal(request), check_in_id, form.get("reason"))
        except ValidationFailed as exc:
            for name, code in exc.fields.items():
                form.error(name, code, **(exc.params or {}))
        else:
            return _back(block_id, "voided")
    return await _page(request, block_id, form=form, form_for=f"void-{check_in_id}", status=400)


@post(
    "/checkin/blocks/{block_id:int}/marks/{enrollment_id:int}",
    name="checkin_mark",
    guards=[organiser_only],
    include_in_schema=False,
)
async def mark(request: Req, block_id: FromPath[int], enrollment_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    kind = form.choice("kind", MARK_CHOICES, required=False)
    note = form.text("note", max_length=corrections.MAX_TEXT)
    if form.ok:
        try:
            await corrections.set_mark(
                current_principal(request), block_id, enrollment_id, MarkKind(kind) if kind else None, note
            )
        except ValidationFailed as exc:
            for name, code in exc.fields.items():
                form.error(name, code, **(exc.params or {}))
        else:
            return _back(block_id, "marked", f"e-{enrollment_id}")
    return await _page(request, block_id, form=form, form_for=f"mark-{enrollment_id}", status=400)


@post(
    "/checkin/blocks/{block_id:int}/excused-rule",
    name="checkin_excused_rule",
    guards=[organiser_only],
    include_in_schema=False,
)
async def excused_rule(request: Req, block_id: FromPath[int]) -> Redirect:
    form = await read_form(request)
    sheet = await corrections.block_sheet(current_principal(request), block_id)
    await corrections.set_excused_rule(
        current_principal(request), int(sheet.block["session"]), bool(form.get("excused_counts"))
    )
    return _back(block_id, "rule")


@get(
    "/admin/blocks/{block_id:int}/checkin-window",
    name="checkin_window_form",
    guards=[organiser_only],
    include_in_schema=False,
)
async def window_form(block_id: FromPath[int]) -> Template:
    block = await corrections.window_of(block_id)
    values = {
        "checkin_before_minutes": str(block["opens_before"]),
        "checkin_after_minutes": str(block["closes_after"]),
    }
    return Template(
        template_name="checkin/window.html",
        context={"block": block, "form": FormState(values=values), "alert": None},
    )


@post(
    "/admin/blocks/{block_id:int}/checkin-window",
    name="checkin_window",
    guards=[organiser_only],
    include_in_schema=False,
)
async def window(request: Req, block_id: FromPath[int]) -> Redirect | Template:
    """From the timetable page: minutes before the start and after the end during which scans are taken."""
    form = await read_form(request, redraw=True)
    limit = corrections.MAX_WINDOW_MINUTES
    before = form.integer("checkin_before_minutes", required=True, low=0, high=limit)
    after = form.integer("checkin_after_minutes", required=True, low=0, high=limit)
    block = await corrections.window_of(block_id)
    if form.ok and before is not None and after is not None:
        try:
            await corrections.set_window(current_principal(request), block_id, before, after)
        except DomainError as exc:
            return Template(
                template_name="checkin/window.html",
                context={"block": block, "form": form, "alert": exc.code},
                status_code=exc.status,
            )
        path = path_for("timetable", session_id=int(block["session"]), query={"done": "window"})
        return Redirect(path=f"{path}#block-{block_id}")
    return Template(
        template_name="checkin/window.html",
        context={"block": block, "form": form, "alert": None},
        status_code=400,
    )


route_handlers: list[Any] = [attendance_page, void, mark, excused_rule, window_form, window]

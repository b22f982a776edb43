"""Organiser pages for county quotas, the timetable, the calendar and the .ics exports."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.errors import DomainError
from training.people.tables import County
from training.programmes import rules, service, sessions
from training.programmes.ics import calendar_ics
from training.programmes.models import TimetableBlock
from training.programmes.rules import BlockDraft
from training.programmes.states import HalfDay
from training.programmes.webforms import as_values, decimal, show_error, time_of_day
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.urls import path_for

Req = Request[Any, Any, Any]
ICS_TYPE = "text/calendar; charset=utf-8"


# --- quotas -----------------------------------------------------------------------------------------------------


async def _quotas_page(
    session_id: int,
    form: FormState | None = None,
    status: int = 200,
    alert: str | None = None,
    done: str = "",
) -> Template:
    session = await sessions.get_session(session_id)
    quotas = {q.county: q for q in await service.get_quotas(session_id)}
    counties = await County.select().order_by(County.aided, ascending=False).order_by(County.code)
    if form is None:
        values = {
            "release_unused_quota_on": session.release_unused_quota_on.isoformat()
            if session.release_unused_quota_on
            else ""
        }
        for cid, q in quotas.items():
            values[f"eligible_{cid}"] = "on"
            values[f"quota_{cid}"] = "" if q.quota is None else str(q.quota)
        form = FormState(values=values)
    return Template(
        template_name="programmes/quotas.html",
        context={
            "s": session,
            "counties": counties,
            "held": {c: q.seats_held for c, q in quotas.items()},
            "reserved_total": sum(q.quota or 0 for q in quotas.values()),
            "form": form,
            "alert": alert,
            "done": done,
        },
        status_code=status,
    )


@get(
    "/admin/sessions/{session_id:int}/quotas",
    name="session_quotas",
    guards=[organiser_only],
    include_in_schema=False,
)
async def quotas_page(session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _quotas_page(session_id, done=done)


@post(
    "/admin/sessions/{session_id:int}/quotas",
    name="session_quotas_save",
    guards=[organiser_only],
    include_in_schema=False,
)
async def quotas_save(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    counties = await County.select(County.id)
    quotas: dict[int, int | None] = {}
    for row in counties:
        cid = row["id"]
        seats = form.integer(f"quota_{cid}", low=0, high=100_000)
        if form.values.get(f"eligible_{cid}") or seats is not None:
            quotas[cid] = seats
    release_on = form.date("release_unused_quota_on")
    if form.ok:
        try:
            await service.set_quotas(current_principal(request), session_id, quotas, release_on)
        except DomainError as exc:
            return await _quotas_page(session_id, form, 400, show_error(form, exc))
        return Redirect(path=path_for("session_quotas", session_id=session_id, query={"done": "saved"}))
    return await _quotas_page(session_id, form, 400)


# --- timetable --------------------------------------------------------------------------------------------------


def block_from_form(
    form: FormState, prefix: str = "", *, day: date | None = None, half: str = ""
) -> BlockDraft | None:
    """One block from fields named `<prefix>day`, `<prefix>starts_at`, …; times default to the half day's."""
    if day is None:
        day = form.date(prefix + "day", required=True)
    half = half or form.choice(prefix + "half_day", rules.HALF_DAYS)
    start = time_of_day(form, prefix + "starts_at")
    end = time_of_day(form, prefix + "ends_at")
    hours = decimal(form, prefix + "hours")
    topic = form.text(prefix + "topic", max_length=200)
    instructor = form.text(prefix + "instructor", max_length=64)
    room = form.text(prefix + "room", max_length=64)
    if day is None or half not in rules.HALF_DAYS:
        return None
    default_start, default_end = rules.HALF_DAY_TIMES[half]
    return BlockDraft(
        day=day,
        half_day=half,
        starts_at=start or default_start,
        ends_at=end or default_end,
        topic=topic,
        instructor=instructor,
        room=room,
        hours=hours,
        cancelled=bool(form.values.get(prefix + "cancelled")),
    )


async def _timetable_page(
    session_id: int,
    *,
    block_form: FormState | None = None,
    day_form: FormState | None = None,
    copy_form: FormState | None = None,
    alert: str | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    session = await sessions.get_session(session_id)
    blocks = await service.list_blocks(session_id)
    by_day: dict[date, list[TimetableBlock]] = {}
    for block in blocks:
        by_day.setdefault(block.day, []).append(block)
    next_day = max(by_day) if by_day else session.starts_on
    if by_day and next_day < session.ends_on:
        next_day = date.fromordinal(next_day.toordinal() + 1)
    sources = [s for s in (await sessions.list_sessions(limit=500)).items if s.id != session_id]
    sources.sort(key=lambda s: (s.programme != session.programme, -s.starts_on.toordinal()))
    return Template(
        template_name="programmes/timetable.html",
        context={
            "s": session,
            "by_day": by_day,
            "total_hours": rules.total_hours(blocks),
            "half_days": rules.HALF_DAYS,
            "half_day_times": rules.HALF_DAY_TIMES,
            "block_form": block_form
            or FormState(values={"day": next_day.isoformat(), "half_day": HalfDay.MORNING}),
            "day_form": day_form
            or FormState(
                values={"day": next_day.isoformat(), HalfDay.MORNING: "on", HalfDay.AFTERNOON: "on"}
            ),
            "copy_form": copy_form
            or FormState(values={"from_session_id": str(sources[0].id) if sources else ""}),
            "copy_options": [(str(s.id), f"{s.title} ({s.starts_on:%Y-%m-%d})") for s in sources],
            "alert": alert,
            "done": done,
            "editable": session.editable,
        },
        status_code=status,
    )


@get(
    "/admin/sessions/{session_id:int}/timetable",
    name="timetable",
    guards=[organiser_only],
    include_in_schema=False,
)
async def timetable_page(session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _timetable_page(session_id, done=done)


@post(
    "/admin/sessions/{session_id:int}/blocks",
    name="block_add",
    guards=[organiser_only],
    include_in_schema=False,
)
async def block_add(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    block = block_from_form(form)
    if block is not None and form.ok:
        try:
            await service.add_blocks(current_principal(request), session_id, [block])
        except DomainError as exc:
            return await _timetable_page(session_id, block_form=form, alert=show_error(form, exc), status=400)
        return Redirect(path=path_for("timetable", session_id=session_id, query={"done": "added"}))
    return await _timetable_page(session_id, block_form=form, status=400)


@post(
    "/admin/sessions/{session_id:int}/day", name="day_add", guards=[organiser_only], include_in_schema=False
)
async def day_add(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    day = form.date("day", required=True)
    blocks = []
    for half in rules.HALF_DAYS:
        if form.values.get(half):
            block = block_from_form(form, f"{half}_", day=day or date.min, half=half)
            if block is not None:
                blocks.append(block)
    if not blocks:
        form.error("parts", "empty_day")
    if day is not None and form.ok:
        try:
            await service.add_blocks(current_principal(request), session_id, blocks)
        except DomainError as exc:
            return await _timetable_page(session_id, day_form=form, alert=show_error(form, exc), status=400)
        return Redirect(path=path_for("timetable", session_id=session_id, query={"done": "added"}))
    return await _timetable_page(session_id, day_form=form, status=400)


@post(
    "/admin/sessions/{session_id:int}/copy-timetable",
    name="timetable_copy",
    guards=[organiser_only],
    include_in_schema=False,
)
async def timetable_copy(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    source = form.integer("from_session_id", required=True, low=1)
    if source is not None:
        try:
            await service.copy_timetable(current_principal(request), session_id, source)
        except DomainError as exc:
            return await _timetable_page(session_id, copy_form=form, alert=show_error(form, exc), status=400)
        return Redirect(path=path_for("timetable", session_id=session_id, query={"done": "copied"}))
    return await _timetable_page(session_id, copy_form=form, status=400)


async def _block_form(
    block: TimetableBlock, form: FormState, status: int = 200, alert: str | None = None
) -> Template:
    session = await sessions.get_session(block.session)
    return Template(
        template_name="programmes/block_form.html",
        context={"s": session, "block": block, "form": form, "alert": alert},
        status_code=status,
    )


@get("/admin/blocks/{block_id:int}/edit", name="block_edit", guards=[organiser_only], include_in_schema=False)
async def block_edit(block_id: FromPath[int]) -> Template:
    block = await service.get_block(block_id)
    return await _block_form(block, FormState(values=as_values(block.as_dict())))


@post(
    "/admin/blocks/{block_id:int}/edit", name="block_update", guards=[organiser_only], include_in_schema=False
)
async def block_update(request: Req, block_id: FromPath[int]) -> Template | Redirect:
    block = await service.get_block(block_id)
    form = await read_form(request)
    draft = block_from_form(form)
    if draft is not None and form.ok:
        try:
            await service.update_block(current_principal(request), block_id, draft)
        except DomainError as exc:
            return await _block_form(block, form, 400, show_error(form, exc))
        return Redirect(path=path_for("timetable", session_id=block.session, query={"done": "saved"}))
    return await _block_form(block, form, 400)


@post(
    "/admin/blocks/{block_id:int}/delete",
    name="block_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def block_delete(request: Req, block_id: FromPath[int]) -> Template | Redirect:
    block = await service.get_block(block_id)
    try:
        await service.delete_block(current_principal(request), block_id)
    except DomainError as exc:
        return await _timetable_page(block.session, alert=exc.code, status=exc.status)
    return Redirect(path=path_for("timetable", session_id=block.session, query={"done": "deleted"}))


# --- calendar ---------------------------------------------------------------------------------------------------


@get("/admin/calendar", name="calendar", guards=[organiser_only], include_in_schema=False)
async def calendar_page() -> Template:
    scheduled = await sessions.upcoming(date.today())
    days: dict[date, list[tuple[sessions.Session, TimetableBlock]]] = {}
    for item in scheduled:
        for block in item.blocks:
            days.setdefault(block.day, []).append((item.session, block))
    return Template(
        template_name="programmes/calendar.html",
        context={"sessions": [item.session for item in scheduled], "days": sorted(days.items())},
    )


def _uid_domain(request: Req) -> str:
    return urlsplit(request.app.state["settings"].base_url).hostname or "training.local"


def _ics(text: str, filename: str) -> Response[bytes]:
    return Response(
        content=text.encode("utf-8"),
        media_type=ICS_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@get("/admin/calendar.ics", name="calendar_ics", guards=[organiser_only], include_in_schema=False)
async def calendar_feed(request: Req) -> Response[bytes]:
    scheduled = await sessions.upcoming(date.today())
    text = calendar_ics(
        [(item.session.as_dict(), [b.as_dict() for b in item.blocks]) for item in scheduled],
        uid_domain=_uid_domain(request),
        name="培训日程",
    )
    return _ics(text, "training-calendar.ics")


@get(
    "/admin/sessions/{session_id:int}/calendar.ics",
    name="session_ics",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_ics_admin(request: Req, session_id: FromPath[int]) -> Response[bytes]:
    text = await service.session_calendar(session_id, uid_domain=_uid_domain(request))
    return _ics(text, f"session-{session_id}.ics")


@get("/calendar/sessions/{session_id:int}", name="session_ics_public", include_in_schema=False)
async def session_ics_public(request: Req, session_id: FromPath[int]) -> Response[bytes]:
    """For teachers: published (and closed) sessions only; drafts are not found."""
    text = await service.session_calendar(session_id, uid_domain=_uid_domain(request), public=True)
    return _ics(text, f"session-{session_id}.ics")


route_handlers: list[Any] = [
    quotas_page,
    quotas_save,
    timetable_page,
    block_add,
    day_add,
    timetable_copy,
    block_edit,
    block_update,
    block_delete,
    calendar_page,
    calendar_feed,
    session_ics_admin,
    session_ics_public,
]

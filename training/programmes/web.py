"""Organiser pages: overview, programmes, sessions (create / edit / publish / close / copy)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.errors import DomainError
from training.i18n import N_, gettext
from training.people.tables import County
from training.programmes import rules, service, sessions
from training.programmes.api import route_handlers as api_handlers
from training.programmes.questions_web import route_handlers as question_handlers
from training.programmes.rules import SessionDraft
from training.programmes.states import ProgrammeKind, RegistrationMode, SessionStatus
from training.programmes.timetable_web import route_handlers as timetable_handlers
from training.programmes.webforms import as_values, decimal, local_datetime, show_error
from training.rendering.labels import choices, label
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only, organiser_or_coordinator
from training.web.nav import NavItem
from training.web.urls import path_for

Req = Request[Any, Any, Any]


@get("/admin", name="admin_home", guards=[organiser_or_coordinator], include_in_schema=False)
async def admin_home(request: Req, done: FromQuery[str] = "") -> Template:
    programmes = await service.list_programmes()
    every = sorted((await sessions.list_sessions(limit=500)).items, key=lambda s: s.starts_on, reverse=True)
    by_programme: dict[int, list[sessions.Session]] = {p.id: [] for p in programmes}
    for session in every:
        by_programme.setdefault(session.programme, []).append(session)
    county_count = await County.count().where(County.aided.eq(True))
    return Template(
        template_name="programmes/admin_home.html",
        context={
            "programmes": programmes,
            "sessions_by_programme": by_programme,
            "county_count": county_count,
            "upcoming": [s for s in every if s.editable and s.ends_on >= date.today()],
            "is_organiser": current_principal(request).is_organiser,
            "done": done,
        },
    )


# --- programmes -------------------------------------------------------------------------------------------------


def _programme_draft(form: FormState) -> service.ProgrammeDraft:
    return service.ProgrammeDraft(
        slug=form.text("slug", required=True, max_length=32).lower(),
        name=form.text("name", required=True, max_length=128),
        name_en=form.text("name_en", max_length=128),
        kind=form.choice("kind", rules.PROGRAMME_KINDS),
        description=form.text("description", max_length=4000),
    )


async def _programmes_page(form: FormState, status: int = 200, alert: str | None = None) -> Template:
    return Template(
        template_name="programmes/programmes.html",
        context={"programmes": await service.list_programmes(), "form": form, "alert": alert},
        status_code=status,
    )


@get("/admin/programmes", name="programmes", guards=[organiser_only], include_in_schema=False)
async def programmes_page() -> Template:
    return await _programmes_page(FormState(values={"kind": ProgrammeKind.SUMMER}))


@post("/admin/programmes", name="programme_create", guards=[organiser_only], include_in_schema=False)
async def programme_create(request: Req) -> Template | Redirect:
    form = await read_form(request)
    draft = _programme_draft(form)
    if form.ok:
        try:
            await service.create_programme(current_principal(request), draft)
        except DomainError as exc:
            return await _programmes_page(form, 400, show_error(form, exc))
        return Redirect(path=path_for("programmes", query={"done": "saved"}))
    return await _programmes_page(form, 400)


@get(
    "/admin/programmes/{programme_id:int}/edit",
    name="programme_edit",
    guards=[organiser_only],
    include_in_schema=False,
)
async def programme_edit(programme_id: FromPath[int]) -> Template:
    programme = await service.get_programme(programme_id)
    return Template(
        template_name="programmes/programme_form.html",
        context={"programme": programme, "form": FormState(values=as_values(programme.as_dict()))},
    )


@post(
    "/admin/programmes/{programme_id:int}/edit",
    name="programme_update",
    guards=[organiser_only],
    include_in_schema=False,
)
async def programme_update(request: Req, programme_id: FromPath[int]) -> Template | Redirect:
    programme = await service.get_programme(programme_id)
    form = await read_form(request)
    draft = _programme_draft(form)
    alert = None
    if form.ok:
        try:
            await service.update_programme(current_principal(request), programme_id, draft)
        except DomainError as exc:
            alert = show_error(form, exc)
        else:
            return Redirect(path=path_for("programmes", query={"done": "saved"}))
    return Template(
        template_name="programmes/programme_form.html",
        context={"programme": programme, "form": form, "alert": alert},
        status_code=400,
    )


# --- sessions ---------------------------------------------------------------------------------------------------


def session_draft_from_form(form: FormState) -> SessionDraft | None:
    """Parse the session form; field errors go into `form`; None when a field could not be read at all."""
    programme_id = form.integer("programme_id", required=True, low=1)
    starts_on = form.date("starts_on", required=True)
    ends_on = form.date("ends_on", required=True)
    capacity = form.integer("capacity", required=True, low=0, high=100_000)
    kind = form.choice("completion_kind", ("hours", "percent"), required=False)
    value = decimal(form, "completion_value")
    if value is not None and not kind:
        form.error("completion_kind", "required")
    draft_fields: dict[str, Any] = {
        "title": form.text("title", required=True, max_length=128),
        "number": form.integer("number", low=1, high=1000),
        "year": form.integer("year", low=2000, high=2100),
        "mode": form.choice("mode", rules.MODES),
        "venue": form.text("venue", max_length=128),
        "host_city": form.text("host_city", max_length=64),
        "host_institution": form.text("host_institution", max_length=128),
        "registration_opens_at": local_datetime(form, "registration_opens_at"),
        "registration_closes_at": local_datetime(form, "registration_closes_at"),
        "nomination_deadline": local_datetime(form, "nomination_deadline"),
        "completion_hours": value if kind == "hours" else None,
        "completion_percent": value if kind == "percent" else None,
        "contact_name": form.text("contact_name", max_length=64),
        "contact_phone": form.text("contact_phone", max_length=32),
        "description": form.text("description", max_length=8000),
    }
    if programme_id is None or starts_on is None or ends_on is None or capacity is None or not form.ok:
        return None
    return SessionDraft(
        programme_id=programme_id, starts_on=starts_on, ends_on=ends_on, capacity=capacity, **draft_fields
    )


def session_form_values(session: sessions.Session) -> dict[str, str]:
    values = as_values(session.as_dict())
    values["programme_id"] = str(session.programme)
    if session.completion_percent is not None:
        values["completion_kind"], values["completion_value"] = (
            "percent",
            f"{session.completion_percent:g}",
        )
    elif session.completion_hours is not None:
        values["completion_kind"], values["completion_value"] = "hours", f"{session.completion_hours:g}"
    return values


async def _session_form(
    form: FormState, session: sessions.Session | None, status: int = 200, alert: str | None = None
) -> Template:
    programmes = await service.list_programmes()
    return Template(
        template_name="programmes/session_form.html",
        context={
            "form": form,
            "session": session,
            "alert": alert,
            "programme_options": [(str(p.id), p.name) for p in programmes],
            "mode_options": choices("session_mode"),
        },
        status_code=status,
    )


@get("/admin/sessions/new", name="session_new", guards=[organiser_only], include_in_schema=False)
async def session_new(programme: FromQuery[int | None] = None) -> Template:
    values = {"mode": RegistrationMode.OPEN, "completion_kind": "hours", "programme_id": str(programme or "")}
    if programme:
        previous = (await sessions.list_sessions(programme_id=programme, limit=1)).items
        if previous:  # start from last year's settings; dates are typed fresh
            last = session_form_values(previous[-1])
            for key in (
                "venue",
                "host_city",
                "host_institution",
                "capacity",
                "mode",
                "contact_name",
                "contact_phone",
                "description",
                "completion_kind",
                "completion_value",
            ):
                values[key] = last.get(key, "")
    return await _session_form(FormState(values=values), None)


@post("/admin/sessions/new", name="session_create", guards=[organiser_only], include_in_schema=False)
async def session_create(request: Req) -> Template | Redirect:
    form = await read_form(request)
    draft = session_draft_from_form(form)
    alert = None
    if draft is not None:
        try:
            session_id = await service.create_session(current_principal(request), draft)
        except DomainError as exc:
            alert = show_error(form, exc)
        else:
            return Redirect(path=path_for("session_detail", session_id=session_id, query={"done": "created"}))
    return await _session_form(form, None, 400, alert)


@get(
    "/admin/sessions/{session_id:int}",
    name="session_detail",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_detail(session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _detail(session_id, done=done)


async def _detail(
    session_id: int,
    *,
    done: str = "",
    alert: str | None = None,
    alert_fields: dict[str, str] | None = None,
    copy_form: FormState | None = None,
    status: int = 200,
) -> Template:
    session = await sessions.get_session(session_id)
    blocks = await service.list_blocks(session_id)
    quotas = await service.get_quotas(session_id)
    next_start = (
        session.starts_on.replace(year=session.starts_on.year + 1)
        if not (session.starts_on.month == 2 and session.starts_on.day == 29)
        else session.starts_on + timedelta(days=365)
    )
    return Template(
        template_name="programmes/session.html",
        context={
            "s": session,
            "blocks": blocks,
            "quotas": quotas,
            "quota_total": sum(q.quota or 0 for q in quotas),
            "total_hours": rules.total_hours(blocks),
            "days": sorted({b.day for b in blocks}),
            "transitions": rules.TRANSITIONS.get(session.status, ()),
            "done": done,
            "alert": alert,
            "alert_fields": alert_fields or {},
            "copy_form": copy_form or FormState(values={"starts_on": next_start.isoformat()}),
        },
        status_code=status,
    )


@get(
    "/admin/sessions/{session_id:int}/edit",
    name="session_edit",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_edit(session_id: FromPath[int]) -> Template:
    session = await sessions.get_session(session_id)
    return await _session_form(FormState(values=session_form_values(session)), session)


@post(
    "/admin/sessions/{session_id:int}/edit",
    name="session_update",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_update(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    session = await sessions.get_session(session_id)
    form = await read_form(request)
    draft = session_draft_from_form(form)
    alert = None
    if draft is not None:
        try:
            await service.update_session(current_principal(request), session_id, draft)
        except DomainError as exc:
            alert = show_error(form, exc)
        else:
            return Redirect(path=path_for("session_detail", session_id=session_id, query={"done": "saved"}))
    return await _session_form(form, session, 400, alert)


def _people_facts(impact: service.SessionImpact) -> list[str]:
    facts = []
    for status in ("confirmed", "pending", "nominated", "waitlisted"):
        if impact.by_status.get(status):
            facts.append(
                gettext(N_("{label}: {n} people")).format(
                    label=label("enrollment_status", status), n=impact.by_status[status]
                )
            )
    return facts


async def _status_confirmation(session: sessions.Session, target: str) -> Confirmation:
    """What closing or unpublishing this session does, and to how many people."""
    impact = await service.session_impact(session.id)
    today = date.today()
    back = path_for("session_detail", session_id=session.id)
    warnings = []
    if target == SessionStatus.CLOSED:
        if session.ends_on >= today:
            days = (session.starts_on - today).days
            warnings.append(
                gettext(N_("This session has not ended yet: it starts in {days} days ({date}).")).format(
                    days=days, date=session.starts_on.isoformat()
                )
                if days > 0
                else gettext(N_("This session has not ended yet (last day {date}).")).format(
                    date=session.ends_on.isoformat()
                )
            )
        facts = [
            gettext(N_("Registration ends and nothing about the session can be changed while it is closed.")),
            *_people_facts(impact),
        ]
        if session.status == SessionStatus.PUBLISHED and session.ends_on >= today and impact.active:
            # changes.session_closed drafts the cancellation; it goes out only from the notices page
            facts.append(
                gettext(
                    N_(
                        "A cancellation notice will wait under “Change notices”: teachers and the waiting list "
                        "are told only after you check it and send it."
                    )
                )
            )
        return Confirmation(
            heading=gettext(N_("Close “{title}”?")).format(title=session.title),
            action=path_for("session_status", session_id=session.id),
            button=gettext(N_("Close the session")),
            back=back,
            facts=facts,
            warnings=warnings,
            hidden={"status": SessionStatus.CLOSED},
            people=impact.active,
            people_label=gettext(N_("teachers enrolled")),
            undo=gettext(N_("You can reopen a closed session from its page.")),
        )
    return Confirmation(
        heading=gettext(N_("Take “{title}” back to draft?")).format(title=session.title),
        action=path_for("session_status", session_id=session.id),
        button=gettext(N_("Back to draft")),
        back=back,
        facts=[
            gettext(N_("Teachers and counties no longer see the session and cannot register.")),
            gettext(N_("Registrations already made stay as they are.")),
            *_people_facts(impact),
        ],
        warnings=[gettext(N_("{n} teachers are enrolled in this session.")).format(n=impact.active)]
        if impact.active
        else [],
        hidden={"status": SessionStatus.DRAFT},
        people=impact.active,
        people_label=gettext(N_("teachers enrolled")),
        undo=gettext(N_("Publish it again to undo.")),
    )


@post(
    "/admin/sessions/{session_id:int}/status",
    name="session_status",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_status(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    target = form.values.get("status", "")
    session = await sessions.get_session(session_id)
    if target in (SessionStatus.CLOSED, SessionStatus.DRAFT) and not is_confirmed(form.values):
        if target in rules.TRANSITIONS.get(session.status, ()):
            return confirmation_page(await _status_confirmation(session, target))
    try:
        await service.set_status(current_principal(request), session_id, target)
    except DomainError as exc:
        return await _detail(
            session_id, alert=exc.code, alert_fields=exc.fields, status=409 if exc.status == 409 else 400
        )
    done = "reopened" if session.status == SessionStatus.CLOSED else target
    return Redirect(path=path_for("session_detail", session_id=session_id, query={"done": done}))


@post(
    "/admin/sessions/{session_id:int}/delete",
    name="session_delete",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_delete(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    if not is_confirmed(form.values):
        session = await sessions.get_session(session_id)
        impact = await service.session_impact(session_id)
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Delete the draft “{title}”?")).format(title=session.title),
                action=path_for("session_delete", session_id=session_id),
                button=gettext(N_("Delete draft")),
                back=path_for("session_detail", session_id=session_id),
                facts=[
                    gettext(
                        N_(
                            "The session, its {blocks} timetable blocks and {quotas} county quotas are deleted."
                        )
                    ).format(blocks=impact.blocks, quotas=impact.quotas),
                ],
                people=impact.active,
                people_label=gettext(N_("teachers enrolled")),
                undo=gettext(N_("This cannot be undone.")),
            )
        )
    try:
        await service.delete_session(current_principal(request), session_id)
    except DomainError as exc:
        return await _detail(session_id, alert=exc.code, status=exc.status)
    return Redirect(path=path_for("admin_home", query={"done": "deleted"}))


@post(
    "/admin/sessions/{session_id:int}/copy",
    name="session_copy",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_copy(request: Req, session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request)
    starts_on = form.date("starts_on", required=True)
    title = form.text("title", max_length=128)
    if starts_on is not None and form.ok:
        try:
            new_id = await service.copy_session(
                current_principal(request), session_id, starts_on=starts_on, title=title or None
            )
        except DomainError as exc:
            alert = show_error(form, exc)
            return await _detail(session_id, copy_form=form, alert=alert or "validation_failed", status=400)
        return Redirect(path=path_for("session_detail", session_id=new_id, query={"done": "copied"}))
    return await _detail(session_id, copy_form=form, alert="validation_failed", status=400)


route_handlers: list[Any] = [
    admin_home,
    programmes_page,
    programme_create,
    programme_edit,
    programme_update,
    session_new,
    session_create,
    session_detail,
    session_edit,
    session_update,
    session_status,
    session_delete,
    session_copy,
    *timetable_handlers,
    *question_handlers,
    *api_handlers,
]
nav_items = [
    NavItem(N_("Overview"), "admin_home", ("organiser", "coordinator"), order=10),
    NavItem(N_("Calendar"), "calendar", ("organiser",), order=12),
    NavItem(N_("Programmes"), "programmes", ("organiser",), order=14),
]

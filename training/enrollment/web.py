"""Public pages: sessions open for registration, the registration form, teacher self-service (no password).
Organiser/coordinator pages are in admin_web.py, the JSON API in api.py; this module gathers all handlers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.codes import display_manual_code
from training.enrollment import answers, sections, service, uploads
from training.enrollment.admin_web import admin_handlers, admin_nav
from training.enrollment.answers_web import answers_handlers
from training.enrollment.api import api_handlers
from training.enrollment.nomination_web import nomination_handlers, nomination_nav
from training.enrollment.profile_web import profile_handlers
from training.enrollment.qr import enrollment_qr_png
from training.enrollment.rules import ETHNICITIES, MAX_LENGTHS, SUBJECTS, TITLES
from training.enrollment.states import EnrollmentStatus
from training.errors import Conflict, DomainError, RateLimited, ValidationFailed
from training.i18n import N_, _, register_messages
from training.programmes.sessions import Session, get_session
from training.sms import state as sms_state
from training.web.context import base_url, client_ip
from training.web.forms import FormState, read_form
from training.web.nav import NavItem
from training.web.urls import path_for

log = logging.getLogger("training.enrollment")

register_messages(
    {
        "registration_not_saved": N_(
            "Your registration was not saved: the server cannot store it right now. What you typed is still "
            "below; please send it again in a few minutes."
        ),
    }
)


async def _form_context(session: Session, form: FormState, problem: str | None = None) -> dict[str, Any]:
    from training.notify.timetable import session_timetable

    counties = await service.eligible_counties(session.id)
    schools = await service.schools_of([c.id for c in counties])
    return {
        "session": session,
        "questions": await answers.form_questions(session.id, answers.TEACHER_FORM),
        "timetable": await session_timetable(session.id),
        "form": form,
        "problem": problem,
        "counties": [(str(c.id), c.name) for c in counties],
        "schools": schools,
        "ethnicities": [(e, e) for e in ETHNICITIES],
        "subjects": [(s, s) for s in SUBJECTS],
        "titles": [(t, t) for t in TITLES],
        "sms_enabled": sms_state.enabled(),
    }


@get("/sessions", name="enrollment_sessions", include_in_schema=False)
async def sessions_page() -> Template:
    return Template(
        template_name="enrollment/sessions.html", context={"sessions": await service.open_sessions()}
    )


@get("/sessions/{session_id:int}/register", name="enrollment_register_form", include_in_schema=False)
async def register_form(session_id: FromPath[int]) -> Template:
    session = await get_session(session_id)
    problem = service.window_problem_now(session)
    return Template(
        template_name="enrollment/register.html", context=await _form_context(session, FormState(), problem)
    )


@post("/sessions/{session_id:int}/register", name="enrollment_register", include_in_schema=False)
async def register_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template | Redirect:
    form = await read_form(request, redraw=True)
    try:
        session = await get_session(session_id)
        if not form.ok:  # refused characters: redraw before anything is stored
            raise ValidationFailed(dict(form.errors))
        outcome = await service.register(session_id, form.values, base_url=base_url(request))
    except ValidationFailed as exc:
        form.errors.update(exc.fields)
        for name, code in exc.fields.items():
            if code == "too_long" and name in MAX_LENGTHS:
                form.error_params[name] = {"max": MAX_LENGTHS[name]}
            elif code == "too_long" and name.startswith("q_"):
                form.error_params[name] = {"max": answers.TEXT_MAX}
        return Template(
            template_name="enrollment/register.html",
            context=await _form_context(session, form),
            status_code=422,
        )
    except Conflict as exc:
        return Template(
            template_name="enrollment/register.html",
            context=await _form_context(session, form, exc.code),
            status_code=409,
        )
    except DomainError:
        raise
    except Exception:  # the write failed (a full disk, a read-only database): say so and keep what was typed
        log.exception("registration not saved session=%s", session_id)
        return await _not_saved(session_id, form)
    notice = "new" if outcome.created else "existing"
    return Redirect(path=path_for("enrollment_status", token=outcome.link_token, query={"notice": notice}))


async def _not_saved(session_id: int, form: FormState) -> Template:
    """The form again with what was typed. When even reading fails (SQLite on a full disk cannot open the file),
    a plain page keeps the values in a form that sends them again."""
    try:
        session = await get_session(session_id)
        context = await _form_context(session, form, "registration_not_saved")
    except Exception:
        log.warning("registration form not redrawn from the database session=%s", session_id)
        shown = [
            ("name", N_("Name")),
            ("phone", N_("Mobile number")),
            ("email", N_("Email")),
            ("school", N_("School")),
            ("subject", N_("Subject")),
        ]
        return Template(
            template_name="enrollment/not_saved.html",
            context={"session_id": session_id, "form": form, "shown": [(n, _(label)) for n, label in shown]},
            status_code=503,
        )
    return Template(template_name="enrollment/register.html", context=context, status_code=503)


@get("/me", name="enrollment_lookup_form", include_in_schema=False)
async def lookup_form() -> Template:
    return Template(template_name="enrollment/lookup.html", context={"form": FormState()})


@post("/me", name="enrollment_lookup", include_in_schema=False)
async def lookup_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await read_form(request)
    try:
        results = await service.lookup(form.get("id_number"), form.get("phone"), client_ip(request))
    except ValidationFailed as exc:
        form.errors.update(exc.fields)
        return Template(template_name="enrollment/lookup.html", context={"form": form}, status_code=422)
    except RateLimited:
        return Template(
            template_name="enrollment/lookup.html",
            context={"form": form, "problem": "rate_limited"},
            status_code=429,
        )
    except DomainError as exc:
        return Template(
            template_name="enrollment/lookup.html",
            context={"form": form, "problem": exc.code},
            status_code=404,
        )
    if len(results) == 1:
        return Redirect(path=path_for("enrollment_status", token=results[0].link_token))
    return Template(template_name="enrollment/lookup.html", context={"form": form, "results": results})


@get("/me/{token:str}", name="enrollment_status", include_in_schema=False)
async def status_page(token: FromPath[str], notice: FromQuery[str] = "") -> Template:
    from training.notify.timetable import timetable_of
    from training.people.requests import unproven_enrollment

    view = await service.view(service.enrollment_for_link(token))
    timetable = (
        await timetable_of(view.id, view.session.id)
        if view.status in (EnrollmentStatus.CONFIRMED, EnrollmentStatus.PENDING)
        else None
    )
    return Template(
        template_name="enrollment/status.html",
        context={
            "timetable": timetable,
            "v": view,
            "manual_code": display_manual_code(view.manual_code),
            "notice": notice,
            "sections": await sections.shown(view),
            "details_pending": await unproven_enrollment(view.id),
        },
    )


@get("/me/{token:str}/qr.png", name="enrollment_qr", include_in_schema=False)
async def qr_image(token: FromPath[str], download: FromQuery[int] = 0) -> Response[bytes]:
    view = await service.view(service.enrollment_for_link(token))
    if not view.has_qr:
        raise DomainError("not_found", status=404)
    headers = {"cache-control": "private, max-age=3600"}
    if download:
        headers["content-disposition"] = f'attachment; filename="checkin-{view.manual_code}.png"'
    return Response(
        content=enrollment_qr_png(view.id, view.token_nonce), media_type="image/png", headers=headers
    )


@post("/me/{token:str}/cancel", name="enrollment_cancel", include_in_schema=False)
async def cancel_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Redirect:
    enrollment_id = service.enrollment_for_link(token)
    await service.cancel(enrollment_id, base_url=base_url(request))
    return Redirect(path=path_for("enrollment_status", token=token, query={"notice": "cancelled"}))


PROMOTION_INTERVAL_S = 600


async def promote_waiting_teachers(settings: Any) -> None:
    """Every ten minutes, give free seats to waiting teachers where the rules now allow it (released quotas,
    raised capacity). Cancellations promote at once; this catches what changes with the calendar or the settings."""
    import asyncio
    import logging

    log = logging.getLogger("training.enrollment")
    while True:
        try:
            for session_id in await service.sessions_with_free_seats_and_a_queue():
                promoted = await service.fill_free_seats(session_id, base_url=settings.base_url)
                if promoted:
                    log.info("session %s: promoted %d waiting teachers", session_id, len(promoted))
        except Exception:  # the next round tries again; a failure here must not stop the server
            log.exception("promoting waiting teachers failed")
        await asyncio.sleep(PROMOTION_INTERVAL_S)


async def sweep_import_uploads(settings: Any) -> None:
    """Import uploads left after a dry run are deleted an hour later (enrollment/uploads.py)."""
    await uploads.sweep_periodically(Path(settings.data_dir))


background_tasks = [promote_waiting_teachers, sweep_import_uploads]

route_handlers: list[Any] = [
    sessions_page,
    register_form,
    register_submit,
    lookup_form,
    lookup_submit,
    status_page,
    qr_image,
    cancel_submit,
    *admin_handlers,
    *answers_handlers,
    *nomination_handlers,
    *api_handlers,
    *profile_handlers,
]
nav_items: list[NavItem] = [
    NavItem(N_("Register"), "enrollment_sessions", (), order=10),
    *admin_nav,
    *nomination_nav,
]

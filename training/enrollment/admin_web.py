"""Organiser and county coordinator pages: rosters with filters and export, approve/reject in bulk, cancel,
bulk import (dry run, then import); nominations are in nomination_web.py. Coordinators see and act on their own county only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.actor import Actor
from training.enrollment import answers, importing, nominees, rosters, service, uploads
from training.enrollment.nomination_web import selection_warnings
from training.enrollment.rules import MAX_LENGTHS
from training.enrollment.states import EnrollmentStatus
from training.enrollment.tables import ENROLLMENT_STATUSES
from training.errors import Forbidden
from training.i18n import N_, gettext
from training.programmes.sessions import Session, get_session
from training.programmes.states import RegistrationMode
from training.programmes.tables import TrainingSession
from training.rendering.labels import label
from training.web.confirm import Confirmation, confirmation_page
from training.web.guards import current_principal, organiser_only, organiser_or_coordinator
from training.web.nav import NavItem
from training.web.urls import path_for


def _settings(request: Request[Any, Any, Any]) -> Any:
    return request.app.state["settings"]


def _county_scope(principal: Actor, requested: int | None) -> int | None:
    """Coordinators are pinned to their county whatever they ask for."""
    return principal.county_id if principal.is_coordinator else requested


def _filters(principal: Actor, county: str, status: str, school: str, q: str) -> rosters.RosterFilter:
    county_id = int(county) if county.isdigit() else None
    return rosters.RosterFilter(
        county_id=_county_scope(principal, county_id),
        status=status if status in ENROLLMENT_STATUSES else "",
        school=school[:64],
        query=q[:64],
    )


_DONE = {
    "approve": N_("{n} registrations approved or selected."),
    "reject": N_("{n} registrations rejected."),
    "cancel": N_("{n} registrations cancelled; the waiting list moved up."),
    "fill": N_("{n} waiting teachers were given a seat."),
    "answers": N_("Answers saved for {n} registration."),
}


def _done_text(done: str) -> str:
    """The flash message after a redirect: 'approve-3' → '3 registrations approved or selected.'"""
    action, _, count = done.partition("-")
    if action not in _DONE or not count.isdigit():
        return ""
    return gettext(_DONE[action]).format(n=int(count))


@get("/admin/enrollment", name="enrollment_admin", guards=[organiser_or_coordinator], include_in_schema=False)
async def admin_sessions(request: Request[Any, Any, Any]) -> Template:
    principal = current_principal(request)
    sessions = await TrainingSession.select().order_by(TrainingSession.starts_on, ascending=False).limit(60)
    for s in sessions:
        s["counts"] = await rosters.counts(s["id"], _county_scope(principal, None))
    return Template(template_name="enrollment/admin_sessions.html", context={"sessions": sessions})


@get(
    "/admin/enrollment/sessions/{session_id:int}",
    name="enrollment_roster",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def roster_page(
    request: Request[Any, Any, Any],
    session_id: FromPath[int],
    county: FromQuery[str] = "",
    status: FromQuery[str] = "",
    school: FromQuery[str] = "",
    q: FromQuery[str] = "",
    page: FromQuery[int] = 1,
    done: FromQuery[str] = "",
) -> Template:
    principal = current_principal(request)
    session = await get_session(session_id)
    f = _filters(principal, county, status, school, q)
    page = max(1, page)
    rows, total = await rosters.roster(session_id, f, limit=100, offset=(page - 1) * 100)
    counties = await service.seats_by_county(session)
    if principal.is_coordinator:
        counties = [c for c in counties if c.id == principal.county_id]
    query = urlencode({"county": county, "status": status, "school": school, "q": q})
    questions = await answers.session_questions(session_id, answers.visible_to(principal.role))
    given = await answers.answers_of(session_id) if questions else {}
    return Template(
        template_name="enrollment/roster.html",
        context={
            "session": session,
            "questions": questions,
            "answer_cells": {r.id: answers.cells(questions, given.get(r.id)) for r in rows},
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, (total + 99) // 100),
            "counties": counties,
            "filters": {"county": county, "status": status, "school": school, "q": q},
            "statuses": ENROLLMENT_STATUSES,
            "query": query,
            "counts": await rosters.counts(session_id, _county_scope(principal, None)),
            "done_text": _done_text(done),
            "is_organiser": principal.is_organiser,
            # coordinators answer their nominees' questions (training/enrollment/answers_web.py)
            "may_answer": principal.is_organiser or session.mode == RegistrationMode.NOMINATION,
            "may_export_contacts": may_export_contacts(principal, session),
            # a nomination cohort's selection shows each nominee's own answer and flags (nominees.py)
            "nominees": await nominees.nominee_info(session, [r.id for r in rows])
            if session.mode == RegistrationMode.NOMINATION
            else {},
        },
    )


@post(
    "/admin/enrollment/sessions/{session_id:int}/decide",
    name="enrollment_decide",
    guards=[organiser_only],
    include_in_schema=False,
)
async def decide_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template | Redirect:
    principal = current_principal(request)
    form = await request.form()
    ids = [int(v) for v in form.getall("ids", []) if isinstance(v, str) and v.isdigit()]
    action = form.get("action")
    back = str(form.get("back") or "")
    back = back if back.startswith("?") else ""
    if form.get("confirm") != "1":
        return await _decision_confirmation(session_id, ids, action == "approve", back)
    result = await service.decide(
        session_id, ids, action == "approve", actor=principal, base_url=_settings(request).base_url
    )
    joiner = "&" if back else "?"
    roster = path_for("enrollment_roster", session_id=session_id)  # back: the roster's own query string
    return Redirect(path=f"{roster}{back}{joiner}done={action}-{len(result.changed)}")


async def _decision_confirmation(session_id: int, ids: list[int], approve: bool, back: str) -> Template:
    """How many of the ticked registrations the decision changes, and why the others stay (a full session)."""
    session = await get_session(session_id)
    preview = await service.decision_preview(session_id, ids, approve)
    facts = [
        gettext(N_("{label}: {n} people")).format(label=label("enrollment_status", status), n=n)
        for status, n in sorted(preview.by_status.items())
    ]
    left = sum(preview.by_status.values()) - preview.acting
    warnings = await selection_warnings(session, ids, approve)  # a nomination cohort's flags and answers
    if left:
        warnings.append(
            gettext(
                N_("{n} of the ticked registrations are left as they are (already decided or cancelled).")
            ).format(n=left)
        )
    waiting = preview.by_status.get(EnrollmentStatus.WAITLISTED, 0)
    if approve and waiting:
        warnings.append(
            gettext(
                N_(
                    "{n} ticked teachers are on the waiting list: approving does not give them a seat. "
                    "{free} of {capacity} seats are free; waiting teachers move up when a seat frees, "
                    "or with “Give free seats to the waiting list”."
                )
            ).format(n=waiting, free=preview.seats_free, capacity=session.capacity)
        )
    if not ids:
        warnings.append(gettext(N_("No registration was ticked.")))
    heading = (
        gettext(N_("Approve {n} registrations?")) if approve else gettext(N_("Reject {n} registrations?"))
    ).format(n=preview.acting)
    if not preview.acting:
        heading = gettext(N_("Nothing to change"))
    return confirmation_page(
        Confirmation(
            heading=heading,
            action=path_for("enrollment_decide", session_id=session_id),
            button=gettext(N_("Approve and email them")) if approve else gettext(N_("Reject and email them")),
            back=path_for("enrollment_roster", session_id=session_id) + back,
            facts=facts,
            warnings=warnings,
            hidden={"ids": [str(i) for i in ids], "action": "approve" if approve else "reject", "back": back},
            people=preview.acting,
            people_label=gettext(N_("teachers are emailed the decision")),
            danger=not approve,
            undo=""
            if approve
            else gettext(N_("A rejection cannot be undone here: the teacher would have to register again.")),
            can_proceed=preview.acting > 0,
        )
    )


@post(
    "/admin/enrollment/sessions/{session_id:int}/fill",
    name="enrollment_fill",
    guards=[organiser_only],
    include_in_schema=False,
)
async def fill_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template | Redirect:
    form = await request.form()
    if form.get("confirm") != "1":
        session = await get_session(session_id)
        waiting = (await rosters.counts(session_id, None)).get(EnrollmentStatus.WAITLISTED, 0)
        free = session.seats_left
        return confirmation_page(
            Confirmation(
                heading=gettext(N_("Give free seats to the waiting list?")),
                action=path_for("enrollment_fill", session_id=session_id),
                button=gettext(N_("Give the seats and email them")),
                back=path_for("enrollment_roster", session_id=session_id),
                facts=[
                    gettext(N_("{free} seats are free and {waiting} teachers are waiting.")).format(
                        free=free, waiting=waiting
                    ),
                    gettext(
                        N_(
                            "Waiting teachers get a seat in their order, within their county's quota, and are emailed."
                        )
                    ),
                ],
                people=min(free, waiting),
                people_label=gettext(N_("teachers at most get a seat")),
                danger=False,
                can_proceed=free > 0 and waiting > 0,
            )
        )
    promoted = await service.fill_free_seats(session_id, base_url=_settings(request).base_url)
    return Redirect(
        path=path_for("enrollment_roster", session_id=session_id, query={"done": f"fill-{len(promoted)}"})
    )


@post(
    "/admin/enrollment/enrollments/{enrollment_id:int}/cancel",
    name="enrollment_admin_cancel",
    guards=[organiser_only],
    include_in_schema=False,
)
async def admin_cancel(request: Request[Any, Any, Any], enrollment_id: FromPath[int]) -> Redirect:
    principal = current_principal(request)
    view = await service.view(enrollment_id)
    if view.certificate_serial is not None:
        # A certificate stands on it: cancelling revokes it, which takes a reason (on the certificate page).
        return Redirect(
            path=path_for("certificates_enrollment", enrollment_id=enrollment_id, fragment="cancel")
        )
    await service.cancel(enrollment_id, base_url=_settings(request).base_url, actor=principal)
    return Redirect(
        path=path_for("enrollment_roster", session_id=view.session.id, query={"done": "cancel-1"})
    )


def may_export_contacts(principal: Actor, session: Session) -> bool:
    """Full phone numbers and e-mails: organisers, and coordinators where an organiser allowed it for the session."""
    return principal.is_organiser or (principal.is_coordinator and session.coordinators_get_contacts)


@post(
    "/admin/enrollment/sessions/{session_id:int}/contacts",
    name="enrollment_contacts_permission",
    guards=[organiser_only],
    include_in_schema=False,
)
async def contacts_permission(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Redirect:
    """Allow or withdraw coordinators' downloads of full contacts for one session (audited)."""
    form = await request.form()
    allow = str(form.get("allow") or "") == "1"
    await rosters.set_coordinator_contacts(session_id, allow, actor=current_principal(request))
    return Redirect(path=path_for("enrollment_roster", session_id=session_id))


@get(
    "/admin/enrollment/sessions/{session_id:int}/export",
    name="enrollment_export",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def export(
    request: Request[Any, Any, Any],
    session_id: FromPath[int],
    format: FromQuery[str] = "xlsx",
    county: FromQuery[str] = "",
    status: FromQuery[str] = "",
    school: FromQuery[str] = "",
    q: FromQuery[str] = "",
    contacts: FromQuery[str] = "",
) -> Response[bytes]:
    principal = current_principal(request)
    session = await get_session(session_id)
    fmt = "csv" if format == "csv" else "xlsx"
    full = contacts == "full"
    if full and not may_export_contacts(principal, session):
        raise Forbidden()
    data = await rosters.export(
        session_id,
        _filters(principal, county, status, school, q),
        fmt,
        actor=principal,
        contacts=full,
    )
    media = (
        "text/csv"  # Litestar appends "; charset=utf-8" to text types itself
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"roster-{session.year}-{session_id}.{fmt}"
    return Response(
        content=data,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"},
    )


# --- bulk import ---------------------------------------------------------------------------------------------------


@get(
    "/admin/enrollment/sessions/{session_id:int}/import",
    name="enrollment_import_form",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def import_form(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template:
    session = await get_session(session_id)
    return Template(
        template_name="enrollment/import.html",
        context={
            "session": session,
            "headers": list(importing.REQUIRED_HEADERS.values()),
            "principal": current_principal(request),
        },
    )


@post(
    "/admin/enrollment/sessions/{session_id:int}/import",
    name="enrollment_import",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
    request_max_body_size=4 * importing.MAX_BYTES,  # past MAX_BYTES the handler explains; far past, 413
)
async def import_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template:
    """Step 1 (dry run) shows the preview and keeps the upload encrypted for the confirmation (enrollment/uploads.py);
    step 2 (confirm=1) imports it and deletes it."""
    principal = current_principal(request)
    session = await get_session(session_id)
    form = await request.form()
    context: dict[str, Any] = {
        "session": session,
        "principal": principal,
        "headers": list(importing.REQUIRED_HEADERS.values()),
        "field_labels": importing.REQUIRED_HEADERS,
        "max_lengths": MAX_LENGTHS,  # for "too long (at most {max} characters)" in the row errors
    }
    stored = str(form.get("stored") or "")
    data_dir = Path(_settings(request).data_dir)
    county = principal.county_id if principal.is_coordinator else None
    # the session's status and window bind everyone; an organiser may override them with a reason (audited)
    override = "" if principal.is_coordinator else str(form.get("override_reason") or "").strip()[:500]
    context["override_reason"] = override
    keep = False  # the upload stays (encrypted) only while a dry run waits for its confirmation
    try:
        if stored:
            filename = stored
            data = uploads.load(data_dir, stored, session_id=session_id, user_id=principal.user_id)
        else:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise importing.ImportRefused("file_unreadable")
            data = await upload.read()
            if len(data) > importing.MAX_BYTES:
                raise importing.ImportRefused(
                    "file_too_large", params={"max_mb": importing.MAX_BYTES // 2**20}
                )
            filename = upload.filename
        if stored and form.get("confirm") == "1":
            result = await importing.run(
                session_id,
                filename,
                data,
                base_url=_settings(request).base_url,
                actor=principal,
                coordinator_county=county,
                override_reason=override,
                # only organisers may write what a list says differently into teachers' records
                apply_changes=principal.is_organiser and form.get("apply_changes") == "1",
            )
            context.update(result=result, imported=True)
        else:
            result = await importing.preview(
                session_id, filename, data, coordinator_county=county, override_reason=override
            )
            if result.new_rows:
                if not stored:
                    stored = uploads.store(
                        data_dir, filename, data, session_id=session_id, user_id=principal.user_id
                    )
                context.update(result=result, stored=stored)
                keep = True
            else:
                context.update(result=result)
    except importing.ImportRefused as exc:
        context.update(problem=exc.code, problem_params=exc.params)
        return Template(template_name="enrollment/import.html", context=context, status_code=400)
    finally:
        if stored and not keep:
            uploads.discard(data_dir, stored)
    return Template(template_name="enrollment/import.html", context=context)


admin_handlers: list[Any] = [
    admin_sessions,
    roster_page,
    decide_submit,
    fill_submit,
    admin_cancel,
    export,
    contacts_permission,
    import_form,
    import_submit,
]
admin_nav = [
    NavItem(N_("Registrations"), "enrollment_admin", ("organiser", "coordinator"), order=30),
]

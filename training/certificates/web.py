"""Certificates on the web: organiser pages (eligibility, exceptions, batch issue, revoke, artwork),
the public verification page and API, and the teacher's signed PDF download."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Response, Template

from training.certificates import (
    artwork,
    batch,
    candidates,
    decisions,
    exceptions,
    issuing,
    jobs,
    records,
    revoking,
    verifying,
)
from training.certificates.api import route_handlers as api_handlers
from training.certificates.api import throttle_verification
from training.certificates.fonts import check_font
from training.certificates.records import CertificateRecord
from training.certificates.render import render_job
from training.certificates.states import ArtworkKind, VerificationStatus
from training.config import Settings
from training.errors import DomainError, NotFound
from training.i18n import N_, gettext
from training.programmes.sessions import Session, get_session
from training.programmes.states import CertificateLayout
from training.programmes.tables import Block, Programme, TrainingSession
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.context import client_ip
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

log = logging.getLogger("training.certificates")


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------------------------
# Organiser pages


@get("/admin/certificates", name="certificates_index", guards=[organiser_only], include_in_schema=False)
async def index_page() -> Template:
    return await _index_template(FormState())


async def _index_template(form: FormState, status_code: int = 200) -> Template:
    sessions = await TrainingSession.select(
        TrainingSession.id,
        TrainingSession.title,
        TrainingSession.year,
        TrainingSession.programme,
        TrainingSession.starts_on,
        TrainingSession.ends_on,
        TrainingSession.status,
        TrainingSession.certificates_issued,
    ).order_by(TrainingSession.starts_on, ascending=False)
    programmes = await Programme.select().order_by(Programme.id)
    return Template(
        template_name="certificates/index.html",
        context={"sessions": sessions, "programmes": programmes, "form": form},
        status_code=status_code,
    )


async def _session_page(
    request: Request[Any, Any, Any], session_id: int, status_code: int = 200, form: FormState | None = None
) -> Template:
    from training.certificates import printing

    state = await candidates.session_eligibility(session_id)
    opens_at = await issuing.issue_opens_at(session_id)
    blocks = (
        await Block.select(
            Block.id, Block.day, Block.half_day, Block.starts_at, Block.ends_at, Block.topic, Block.cancelled
        )
        .where(Block.session == session_id)
        .order_by(Block.day)
        .order_by(Block.starts_at)
    )
    return Template(
        template_name="certificates/session.html",
        context={
            "state": state,
            "run": batch.run_state(session_id),
            "opens_at": issuing.format_local(opens_at),
            "too_early": datetime.now(UTC) < opens_at,
            "form": form or FormState(),
            "blocks": blocks,
            "print_run": printing.run_state(session_id),
            "print_files": printing.stored_files(_settings(request), session_id),
        },
        status_code=status_code,
    )


@get(
    "/admin/certificates/sessions/{session_id:int}",
    name="certificates_session",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_page(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Template:
    return await _session_page(request, session_id)


@post(
    "/admin/certificates/sessions/{session_id:int}/issue",
    name="certificates_issue",
    guards=[organiser_only],
    include_in_schema=False,
)
async def issue_submit(request: Request[Any, Any, Any], session_id: FromPath[int]) -> Redirect | Template:
    session = await get_session(session_id)  # 404 for an unknown session
    form = await read_form(request)
    early_reason = form.text("early_reason", max_length=decisions.REASON_MAX)
    if form.ok and datetime.now(UTC) < await issuing.issue_opens_at(session_id) and not early_reason:
        form.error("early_reason", "required")
    if not form.ok:
        return await _session_page(request, session_id, status_code=400, form=form)
    if not is_confirmed(form.values):
        return await _issue_confirmation(session, early_reason)
    # The exception is audited by the run itself (authorise_issue), once per run that claims early.
    batch.start_background_issue(
        session_id, _settings(request), early_reason=early_reason, actor=current_principal(request)
    )
    return Redirect(path=path_for("certificates_session", session_id=session_id), status_code=303)


async def _issue_confirmation(session: Session, early_reason: str = "") -> Template:
    """How many certificates the batch issues and finishes, and how many teachers it mails (never one who
    already had theirs: see issuing.mails_when_finished)."""
    state = await candidates.session_eligibility(session.id)
    owed = [c for c in state.eligible if c.certificate is None]
    pending = await issuing.pending_renders(session.id)
    now = datetime.now(UTC)
    mailed_pending = [c for c in pending if issuing.mails_when_finished(c, now)]
    with_email = sum(1 for c in owed if c.email)
    facts = []
    if owed:
        facts.append(
            gettext(
                N_("{n} eligible teachers get a numbered certificate; {m} of them are emailed it.")
            ).format(n=len(owed), m=with_email)
        )
    if pending:
        facts.append(
            gettext(N_("{n} certificates left unfinished by an earlier run are rendered.")).format(
                n=len(pending)
            )
        )
        facts.append(
            gettext(N_("{m} of them were issued in the last 7 days and are emailed now.")).format(
                m=len(mailed_pending)
            )
        )
        if len(pending) > len(mailed_pending):
            facts.append(
                gettext(
                    N_(
                        "{k} were issued earlier: their teachers are not emailed again (send one from a teacher's page)."
                    )
                ).format(k=len(pending) - len(mailed_pending))
            )
    people = with_email + len(mailed_pending)
    return confirmation_page(
        Confirmation(
            heading=gettext(N_("Issue certificates for “{title}”?")).format(title=session.title),
            action=path_for("certificates_issue", session_id=session.id),
            button=gettext(N_("Issue and email")),
            back=path_for("certificates_session", session_id=session.id),
            facts=facts or [gettext(N_("Everyone eligible has a certificate"))],
            hidden={"early_reason": early_reason} if early_reason else {},
            people=people,
            people_label=gettext(N_("teachers are emailed")),
            danger=False,
            undo=gettext(N_("A certificate issued by mistake can be revoked from its page.")),
            can_proceed=bool(owed or pending),
        )
    )


async def _enrollment_page(
    enrollment_id: int, form: FormState | None = None, status_code: int = 200
) -> Template:
    from training.enrollment.tables import Enrollment

    row = await Enrollment.select(Enrollment.session).where(Enrollment.id == enrollment_id).first()
    if row is None:
        raise NotFound()
    state = await candidates.session_eligibility(row["session"], enrollment_id)
    if not state.candidates:
        raise NotFound()
    candidate = state.candidates[0]
    certificate = candidate.certificate
    return Template(
        template_name="certificates/enrollment.html",
        media_type="text/html",  # the POST handlers that redraw it return Any (Litestar would say JSON)
        context={
            "state": state,
            "candidate": candidate,
            "certificate": certificate,
            "form": form or FormState(),
        },
        status_code=status_code,
    )


@get(
    "/admin/certificates/enrollments/{enrollment_id:int}",
    name="certificates_enrollment",
    guards=[organiser_only],
    include_in_schema=False,
)
async def enrollment_page(enrollment_id: FromPath[int]) -> Template:
    return await _enrollment_page(enrollment_id)


@post(
    "/admin/certificates/enrollments/{enrollment_id:int}/exception",
    name="certificates_exception",
    guards=[organiser_only],
    include_in_schema=False,
)
async def exception_submit(request: Request[Any, Any, Any], enrollment_id: FromPath[int]) -> Any:
    form = await read_form(request)
    decision = form.choice("decision", ("grant", "deny", "clear"))
    reason = form.text("reason", required=True, max_length=decisions.REASON_MAX)
    if form.ok:
        try:
            actor = current_principal(request)
            if decision == "clear":
                await exceptions.clear_exception(enrollment_id, reason, actor)
            else:
                await exceptions.set_exception(enrollment_id, decision == "grant", reason, actor)
        except DomainError as exc:
            if not exc.fields:
                raise
            form.errors.update(exc.fields)
        else:
            return Redirect(
                path=path_for("certificates_enrollment", enrollment_id=enrollment_id), status_code=303
            )
    return await _enrollment_page(enrollment_id, form, status_code=400)


async def _reason_action(request: Request[Any, Any, Any], serial: str, action: str) -> Any:
    form = await read_form(request)
    reason = form.text("reason", required=True, max_length=decisions.REASON_MAX)
    cert = await records.certificate_by_serial(serial)
    if form.ok:
        try:
            if action == "revoke":
                await revoking.revoke(serial, reason, current_principal(request))
            else:
                await batch.reissue_and_render(serial, reason, current_principal(request), _settings(request))
        except DomainError as exc:
            form.error("reason", next(iter(exc.fields.values())) if exc.fields else exc.code)
        else:
            return Redirect(
                path=path_for("certificates_enrollment", enrollment_id=cert.enrollment), status_code=303
            )
    form.values["action"] = action
    return await _enrollment_page(cert.enrollment, form, status_code=400)


@post(
    "/admin/certificates/enrollments/{enrollment_id:int}/cancel",
    name="certificates_cancel_enrollment",
    guards=[organiser_only],
    include_in_schema=False,
)
async def cancel_submit(request: Request[Any, Any, Any], enrollment_id: FromPath[int]) -> Any:
    """Cancel a registration that holds a certificate: the certificate is revoked in the same transaction."""
    from training.enrollment import service as enrollment

    form = await read_form(request)
    reason = form.text("reason", required=True, max_length=enrollment.CANCEL_REASON_MAX)
    if form.ok:
        try:
            await enrollment.cancel(
                enrollment_id,
                base_url=_settings(request).base_url,
                actor=current_principal(request),
                reason=reason,
            )
        except DomainError as exc:
            form.error("reason", next(iter(exc.fields.values())) if exc.fields else exc.code)
        else:
            return Redirect(
                path=path_for("certificates_enrollment", enrollment_id=enrollment_id), status_code=303
            )
    form.values["action"] = "cancel"
    return await _enrollment_page(enrollment_id, form, status_code=400)


@post(
    "/admin/certificates/{serial:str}/revoke",
    name="certificates_revoke",
    guards=[organiser_only],
    include_in_schema=False,
)
async def revoke_submit(request: Request[Any, Any, Any], serial: FromPath[str]) -> Any:
    return await _reason_action(request, serial, "revoke")


@post(
    "/admin/certificates/{serial:str}/reissue",
    name="certificates_reissue",
    guards=[organiser_only],
    include_in_schema=False,
)
async def reissue_submit(request: Request[Any, Any, Any], serial: FromPath[str]) -> Any:
    return await _reason_action(request, serial, "reissue")


async def _ensure_file(cert: CertificateRecord, settings: Settings, suffix: str) -> str:
    """The stored file, rendered now from the snapshot if it is not there yet (idempotent)."""
    path = jobs.file_of(cert, settings, suffix)
    if not path.exists():
        _, programme = await candidates.session_and_programme(cert.session)
        job = jobs.render_job_for(
            cert, jobs.artwork_for(programme, settings), settings, preview=suffix == "png"
        )
        await asyncio.to_thread(render_job, job)
    return str(path)


@get(
    "/admin/certificates/{serial:str}/preview.png",
    name="certificates_preview",
    guards=[organiser_only],
    include_in_schema=False,
)
async def preview_png(request: Request[Any, Any, Any], serial: FromPath[str]) -> File:
    return await _admin_file(request, serial, "png")


@get(
    "/admin/certificates/{serial:str}/certificate.pdf",
    name="certificates_pdf_admin",
    guards=[organiser_only],
    include_in_schema=False,
)
async def admin_pdf(request: Request[Any, Any, Any], serial: FromPath[str]) -> File:
    return await _admin_file(request, serial, "pdf")


async def _admin_file(request: Request[Any, Any, Any], serial: str, suffix: str) -> File:
    cert = await records.certificate_by_serial(serial)
    path = await _ensure_file(cert, _settings(request), suffix)
    media_type = "image/png" if suffix == "png" else "application/pdf"
    return File(
        path=path, media_type=media_type, filename=f"{serial}.{suffix}", content_disposition_type="inline"
    )


@post(
    "/admin/certificates/programmes/{programme_id:int}/artwork",
    name="certificates_artwork",
    guards=[organiser_only],
    include_in_schema=False,
)
async def artwork_submit(request: Request[Any, Any, Any], programme_id: FromPath[int]) -> Any:
    data = await request.form()
    kind = str(data.get("kind") or "")
    form = FormState(values={"kind": kind, "programme": str(programme_id)})
    upload = data.get("image")
    actor = current_principal(request)
    try:
        if data.get("remove"):
            await artwork.remove_artwork(
                programme_id, ArtworkKind(kind) if kind in tuple(ArtworkKind) else ArtworkKind.SEAL, actor
            )
        elif not isinstance(upload, UploadFile):
            form.error("image", "required")
        else:
            payload = await upload.read()
            await artwork.store_artwork(programme_id, kind, payload, _settings(request), actor)
    except DomainError as exc:
        if not exc.fields:
            raise
        form.error("image", next(iter(exc.fields.values())))
    if form.ok:
        return Redirect(path=path_for("certificates_index"), status_code=303)
    return await _index_template(form, status_code=400)


@post(
    "/admin/certificates/programmes/{programme_id:int}/layout",
    name="certificates_layout",
    guards=[organiser_only],
    include_in_schema=False,
)
async def layout_submit(request: Request[Any, Any, Any], programme_id: FromPath[int]) -> Any:
    form = await read_form(request)
    layout = form.choice("layout", tuple(CertificateLayout))
    if form.ok:
        await artwork.set_layout(programme_id, layout, current_principal(request))
        return Redirect(path=path_for("certificates_index"), status_code=303)
    form.errors = {"image": form.errors["layout"]}
    return await _index_template(form, status_code=400)


@get(
    "/admin/certificates/programmes/{programme_id:int}/sample.png",
    name="certificates_sample",
    guards=[organiser_only],
    include_in_schema=False,
)
async def sample_png(request: Request[Any, Any, Any], programme_id: FromPath[int]) -> Response[bytes]:
    png = await artwork.sample_preview(programme_id, _settings(request))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------------------------------------------------------
# Public verification and teacher download


@get("/verify", name="verify_form", include_in_schema=False)
async def verify_form(serial: FromQuery[str] = "") -> Template | Redirect:
    serial = serial.strip()
    if serial:
        return Redirect(path=path_for("verify_page", serial=serial))
    return Template(template_name="certificates/verify.html", context={"result": None})


@get("/verify/{serial:str}", name="verify_page", include_in_schema=False)
async def verify_page(request: Request[Any, Any, Any], serial: FromPath[str]) -> Template:
    await throttle_verification(client_ip(request))
    result = await verifying.verify(serial)
    return Template(
        template_name="certificates/verify.html",
        context={"result": result},
        status_code=404 if result.status is VerificationStatus.UNKNOWN else 200,
    )


@get("/certificates/{filename:str}", name="certificate_download", include_in_schema=False)
async def teacher_download(
    request: Request[Any, Any, Any], filename: FromPath[str], t: FromQuery[str] = ""
) -> File | Redirect:
    """The teacher's own PDF through the signed link from their email or self-service page."""
    if not filename.endswith(".pdf"):
        raise NotFound()
    cert = await verifying.certificate_for_download(filename.removesuffix(".pdf"), t)
    for check in verifying.DOWNLOAD_CHECKS:
        first = await check(cert.enrollment, t)
        if first:
            return Redirect(path=first)
    path = await _ensure_file(cert, _settings(request), "pdf")
    return File(
        path=path,
        media_type="application/pdf",
        filename=f"结业证书-{cert.serial}.pdf",
        content_disposition_type="attachment",
    )


async def check_font_at_startup(settings: Settings) -> None:
    """Fail loudly in the log at start-up if the certificate font is not the Simplified Chinese face."""
    try:
        family = await asyncio.to_thread(check_font)
    except Exception:
        log.critical("certificate font check failed: certificates cannot be rendered", exc_info=True)
    else:
        log.debug("certificate font: %s", family)


route_handlers: list[Any] = [
    index_page,
    session_page,
    issue_submit,
    enrollment_page,
    exception_submit,
    cancel_submit,
    revoke_submit,
    reissue_submit,
    preview_png,
    admin_pdf,
    artwork_submit,
    layout_submit,
    sample_png,
    verify_form,
    verify_page,
    teacher_download,
    *api_handlers,
]
nav_items = [
    NavItem(N_("Certificates"), "certificates_index", ("organiser",), order=60),
    NavItem(N_("Verify a certificate"), "verify_form", (), order=90),
]
background_tasks = [check_font_at_startup]

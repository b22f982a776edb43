"""The 学时 ledger on the web: the organisers' page (masked preview, downloads with full ID numbers, audited)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from training.certificates.jobs import verify_url
from training.certificates.verifying import OTHER_DOCUMENTS
from training.config import Settings
from training.core.clock import LOCAL_TZ
from training.enrollment.sections import SelfServiceSection
from training.enrollment.self_service import EnrollmentView
from training.enrollment.service import enrollment_for_link
from training.errors import NotFound
from training.i18n import N_
from training.ledger import columns as layout
from training.ledger import service, statement_pdf, teacher
from training.ledger.states import LedgerFormat
from training.people.tables import Teacher
from training.programmes.tables import TrainingSession
from training.web.guards import current_principal, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

PREVIEW_ROWS = 50


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]  # type: ignore[no-any-return]


@get("/admin/ledger", name="ledger_page", guards=[organiser_only], include_in_schema=False)
async def ledger_page(
    request: Request[Any, Any, Any], session: FromQuery[int | None] = None, year: FromQuery[int | None] = None
) -> Template:
    settings = _settings(request)
    sessions = await TrainingSession.select(
        TrainingSession.id, TrainingSession.title, TrainingSession.year, TrainingSession.starts_on
    ).order_by(TrainingSession.starts_on, ascending=False)
    years = sorted({s["year"] for s in sessions}, reverse=True)
    problem = ""
    try:
        columns = layout.load(settings.ledger_columns_path)
    except layout.LayoutError as exc:
        columns, problem = layout.DEFAULT, str(exc)
    rows: list[service.LedgerRow] | None = None
    downloads: dict[str, str] = {}  # format → its download link
    if session is not None:
        chosen = next((s for s in sessions if s["id"] == session), None)
        if chosen is None:
            raise NotFound()
        rows = await service.session_rows(session)
        downloads = {
            f: path_for("ledger_session_download", session_id=session, fmt=f) for f in ("xlsx", "csv")
        }
    elif year is not None:
        rows = await service.year_rows(year)
        downloads = {f: path_for("ledger_year_download", year=year, fmt=f) for f in ("xlsx", "csv")}
    return Template(
        template_name="ledger/index.html",
        context={
            "sessions": sessions,
            "years": years,
            "selected_session": session,
            "selected_year": year,
            "columns": columns,
            "layout_path": str(settings.ledger_columns_path),
            "layout_problem": problem,
            "rows": rows,
            "preview": service.preview((rows or [])[:PREVIEW_ROWS], columns, settings.organisation_name),
            "total_hours": sum(r.hours for r in rows or []),
            "downloads": downloads,
        },
    )


async def _download(request: Request[Any, Any, Any], fmt: str, **scope: int) -> Response[bytes]:
    if fmt not in tuple(LedgerFormat):
        raise NotFound()
    result = await service.download(
        _settings(request), current_principal(request), LedgerFormat(fmt), **scope
    )
    return Response(
        result.content,
        media_type=result.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(result.filename)}",
            "Cache-Control": "no-store",
        },
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@get(
    "/admin/ledger/sessions/{session_id:int}/{fmt:str}",
    name="ledger_session_download",
    guards=[organiser_only],
    include_in_schema=False,
)
async def session_download(
    request: Request[Any, Any, Any], session_id: FromPath[int], fmt: FromPath[str]
) -> Response[bytes]:
    return await _download(request, fmt, session_id=session_id)


@get(
    "/admin/ledger/years/{year:int}/{fmt:str}",
    name="ledger_year_download",
    guards=[organiser_only],
    include_in_schema=False,
)
async def year_download(
    request: Request[Any, Any, Any], year: FromPath[int], fmt: FromPath[str]
) -> Response[bytes]:
    return await _download(request, fmt, year=year)


@get("/me/{token:str}/hours-statement.pdf", name="ledger_hours_statement", include_in_schema=False)
async def hours_statement(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """The teacher's 学时证明 through her signed self-service link; /verify confirms its serial."""
    enrollment_id = enrollment_for_link(token)
    statement = await teacher.statement_for(enrollment_id)
    person = await Teacher.select(Teacher.id_masked).where(Teacher.id == statement.teacher_id).first()
    settings = _settings(request)
    document = statement_pdf.Statement(
        serial=statement.serial,
        teacher_name=statement.teacher_name,
        id_masked=person["id_masked"] if person else "",
        rows=statement.lines,
        total_hours=statement.total_hours,
        organisation=settings.organisation_name,
        issued_on=_local_date(statement.issued_at),
        verify_url=verify_url(settings, statement.serial),
    )
    pdf = await asyncio.to_thread(statement_pdf.statement_pdf, document)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote('学时证明-' + statement.serial + '.pdf')}",
            "Cache-Control": "private, no-store",
        },
    )


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


async def _hours_section(view: EnrollmentView) -> dict[str, Any] | None:
    """Her trainings and hours across all years, when she has any."""
    history = await teacher.history(view.id)
    return {"hours": history} if history.trainings else None


# The teacher's /me page: her hours and the hours statement (registered by training/wiring.py).
SELF_SERVICE_SECTION = SelfServiceSection("hours", 20, "ledger/_my_hours.html", _hours_section)


# /verify confirms hours statements like certificates.
OTHER_DOCUMENTS.append(teacher.verify_statement)

route_handlers: list[Any] = [ledger_page, session_download, year_download, hours_statement]
nav_items = [NavItem(N_("Hours ledger"), "ledger_page", ("organiser",), order=62)]

"""Hosting on the web. Organisers: host schools and mentors (import from XLSX, the template), the pairing of a
cohort (automatic draft, manual choice). Organisers and host coordinators: the cohorts a host city receives, a
cohort's teachers with pairing, travel and rooms, the printable pairing list and the cohort's report (HTML, XLSX).
A host coordinator reaches only its own city's cohorts (service.cohort_for); every other page answers 403."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.actor import Role
from training.errors import ValidationFailed
from training.exchange import reads as exchange
from training.hosting import importing, service
from training.hosting.api import api_handlers
from training.i18n import N_, gettext
from training.web.confirm import Confirmation, confirmation_page, is_confirmed
from training.web.forms import FormState, read_form
from training.web.guards import current_principal, organiser_only, organiser_or_host
from training.web.nav import NavItem
from training.web.urls import path_for

Req = Request[Any, Any, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- organisers: host schools and mentors ------------------------------------------------------------------------


async def _admin_page(
    request: Req,
    *,
    checked: importing.Checked | None = None,
    refused: str = "",
    refused_params: dict[str, Any] | None = None,
    counts: service.ImportCounts | None = None,
    status: int = 200,
) -> Template:
    return Template(
        template_name="hosting/admin.html",
        context={
            "cities": await service.schools_by_city(),
            "cohorts": await service.visible_cohorts(current_principal(request)),
            "columns": [header for header, _ in importing.COLUMNS.values()],
            "checked": checked,
            "refused": refused,
            "refused_params": refused_params or {},
            "counts": counts,
            "band_titles": importing.BAND_TITLES,
        },
        status_code=status,
    )


@get("/admin/hosting", name="hosting_admin", guards=[organiser_only], include_in_schema=False)
async def admin_page(request: Req) -> Template:
    return await _admin_page(request)


@get(
    "/admin/hosting/template.xlsx", name="hosting_template", guards=[organiser_only], include_in_schema=False
)
async def template_download() -> Response[bytes]:
    return Response(
        importing.template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="host-schools-template.xlsx"'},
    )


@post(
    "/admin/hosting/import",
    name="hosting_import",
    guards=[organiser_only],
    include_in_schema=False,
    request_max_body_size=4 * importing.MAX_BYTES,
)
async def import_submit(request: Req) -> Template:
    """All rows or none: any row error shows every error with its line, and nothing is written."""
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise importing.ImportRefused("host_file_unreadable")
        filename = upload.filename
        checked = importing.check_rows(importing.read_rows(await upload.read()))
    except importing.ImportRefused as exc:
        return await _admin_page(request, refused=exc.code, refused_params=exc.params, status=400)
    if not checked.ok:
        return await _admin_page(request, checked=checked, status=400)
    counts = await service.import_schools(current_principal(request), checked, filename)
    return await _admin_page(request, checked=checked, counts=counts)


# --- organisers: pairing -----------------------------------------------------------------------------------------


async def _pairings_page(
    request: Req,
    session_id: int,
    *,
    draft: Any = None,
    form: FormState | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    cohort = await service.cohort_for(current_principal(request), session_id)
    teachers = await service.cohort_teachers(session_id)
    unmatched = set(draft.unmatched) if draft is not None else set()
    return Template(
        template_name="hosting/pairings.html",
        context={
            "cohort": cohort,
            "teachers": teachers,
            "mentors": await service.mentor_options(session_id, cohort["host_city"]),
            "unpaired": [t for t in teachers if t["pairing_id"] is None],
            "draft": draft,
            "unmatched": [t for t in teachers if t["enrollment_id"] in unmatched],
            "form": form or FormState(),
            "done": done,
        },
        status_code=status,
    )


@get(
    "/admin/hosting/cohorts/{session_id:int}/pairings",
    name="hosting_pairings",
    guards=[organiser_only],
    include_in_schema=False,
)
async def pairings_page(request: Req, session_id: FromPath[int], done: FromQuery[str] = "") -> Template:
    return await _pairings_page(request, session_id, done=done)


@post(
    "/admin/hosting/cohorts/{session_id:int}/pairings/draft",
    name="hosting_draft",
    guards=[organiser_only],
    include_in_schema=False,
)
async def draft_submit(request: Req, session_id: FromPath[int]) -> Template:
    draft = await service.run_draft(current_principal(request), session_id)
    return await _pairings_page(request, session_id, draft=draft)


@post(
    "/admin/hosting/cohorts/{session_id:int}/pairings/{enrollment_id:int}",
    name="hosting_pair",
    guards=[organiser_only],
    include_in_schema=False,
)
async def pair_submit(
    request: Req, session_id: FromPath[int], enrollment_id: FromPath[int]
) -> Template | Redirect:
    form = await read_form(request)
    raw = form.values.get("mentor", "").strip()
    mentor_id = int(raw) if raw.isdigit() else None
    back = path_for("hosting_pairings", session_id=session_id)
    if mentor_id is None and not is_confirmed(form.values):
        teacher = next(
            (t for t in await service.cohort_teachers(session_id) if t["enrollment_id"] == enrollment_id),
            None,
        )
        if teacher is not None and teacher["mentor_id"] is not None:
            return confirmation_page(
                Confirmation(
                    heading=gettext(N_("Remove the pairing of {name}?")).format(name=teacher["name"]),
                    action=path_for("hosting_pair", session_id=session_id, enrollment_id=enrollment_id),
                    button=gettext(N_("Remove the pairing")),
                    back=back,
                    facts=[
                        gettext(N_("{name} is no longer paired with {mentor} of {school}.")).format(
                            name=teacher["name"], mentor=teacher["mentor"], school=teacher["host_school"]
                        )
                    ],
                    hidden={"mentor": ""},
                    undo=gettext(N_("You can pair her again on the pairing page.")),
                )
            )
    try:
        await service.set_pairing(current_principal(request), session_id, enrollment_id, mentor_id)
    except ValidationFailed as exc:
        state = FormState(values={"mentor": raw, "enrollment": str(enrollment_id)})
        for name, code in exc.fields.items():
            state.error(name, code, **exc.params)
        return await _pairings_page(request, session_id, form=state, status=422)
    return Redirect(path=back + "?done=paired#e" + str(enrollment_id))


# --- organisers and host coordinators ----------------------------------------------------------------------------


@get("/host", name="hosting_home", guards=[organiser_or_host], include_in_schema=False)
async def host_home(request: Req) -> Template:
    me = current_principal(request)
    return Template(
        template_name="hosting/home.html",
        context={"cohorts": await service.visible_cohorts(me), "me": me},
    )


@get(
    "/host/cohorts/{session_id:int}",
    name="hosting_cohort",
    guards=[organiser_or_host],
    include_in_schema=False,
)
async def cohort_page(request: Req, session_id: FromPath[int]) -> Template:
    me = current_principal(request)
    cohort = await service.cohort_for(me, session_id)
    teachers = await service.cohort_teachers(session_id)
    ids = [int(t["enrollment_id"]) for t in teachers]
    return Template(
        template_name="hosting/cohort.html",
        context={
            "cohort": cohort,
            "teachers": teachers,
            "travel": await exchange.itineraries(session_id, ids),  # phones of who meets them: masked
            "rooms": await exchange.room_assignments(session_id, ids),
            "me": me,
        },
    )


@get(
    "/host/cohorts/{session_id:int}/pairings/print",
    name="hosting_pairing_print",
    guards=[organiser_or_host],
    include_in_schema=False,
)
async def pairing_print(request: Req, session_id: FromPath[int]) -> Template:
    cohort = await service.cohort_for(current_principal(request), session_id)
    teachers = await service.cohort_teachers(session_id)
    by_school: dict[str, list[dict[str, Any]]] = {}
    for t in teachers:
        by_school.setdefault(t["host_school"] or "", []).append(t)
    return Template(
        template_name="hosting/pairing_print.html",
        context={
            "cohort": cohort,
            "by_school": sorted(by_school.items(), key=lambda kv: (kv[0] == "", kv[0])),
        },
    )


@get(
    "/host/cohorts/{session_id:int}/report",
    name="hosting_report",
    guards=[organiser_or_host],
    include_in_schema=False,
)
async def report_page(request: Req, session_id: FromPath[int]) -> Template:
    cohort = await service.cohort_for(current_principal(request), session_id)
    rows = await service.report_rows(session_id)
    return Template(
        template_name="hosting/report.html",
        context={"cohort": cohort, "rows": rows, "summary": service.summary(rows)},
    )


@get(
    "/host/cohorts/{session_id:int}/report.xlsx",
    name="hosting_report_xlsx",
    guards=[organiser_or_host],
    include_in_schema=False,
)
async def report_xlsx(request: Req, session_id: FromPath[int]) -> Response[bytes]:
    filename, content = await service.report_xlsx(current_principal(request), session_id)
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


route_handlers: list[Any] = [
    admin_page,
    template_download,
    import_submit,
    pairings_page,
    draft_submit,
    pair_submit,
    host_home,
    cohort_page,
    pairing_print,
    report_page,
    report_xlsx,
    *api_handlers,
]
nav_items = [
    NavItem(N_("Host schools"), "hosting_admin", (Role.ORGANISER,), order=33),
    NavItem(N_("Hosted teachers"), "hosting_home", (Role.HOST,), order=5),
]

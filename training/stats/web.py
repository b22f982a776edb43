"""Statistics pages and exports (the JSON API is in api.py). Thin: every rule (who sees which county) lives in
the service."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Response, Template
from markupsafe import Markup

from training.core.clock import local_today
from training.errors import NotFound
from training.i18n import N_, gettext
from training.rendering.labels import choices
from training.stats import charts, exports, schema, service
from training.stats.api import filters_of
from training.stats.api import route_handlers as api_handlers
from training.stats.figures import Filters, funnel
from training.stats.views import build_views, format_cell, view_by_slug
from training.web.guards import current_principal, organiser_or_coordinator
from training.web.nav import NavItem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FUNNEL_LABELS = {
    "registered": N_("Registered"),
    "confirmed": N_("Confirmed participants"),
    "attended": N_("Attended at least once"),
    "completed": N_("Completed (certified)"),
}


def _svg(markup: str) -> Markup:
    """charts.py escapes every piece of text it draws, so its output is trusted markup."""
    return Markup(markup)  # noqa: S704


def unfinished_years(years: list[int]) -> set[int]:
    """Years not over yet (this year and later, local time): their counts are still growing."""
    this_year = local_today().year
    return {y for y in years if y >= this_year}


def dashboard_charts(d: service.Dashboard) -> dict[str, Markup]:
    county_labels = [c["county_name"] for c in d.by_county]
    exchange_by_county: dict[str, int] = {}
    for row in d.exchange:
        exchange_by_county[row["county_name"]] = (
            exchange_by_county.get(row["county_name"], 0) + row["confirmed"]
        )
    years = [y["year"] for y in d.by_year]
    return {
        "counties": _svg(
            charts.bar_chart(
                gettext("Teachers trained per county"),
                county_labels,
                [
                    (gettext("Teachers trained"), [c["trained"] for c in d.by_county]),
                    (gettext("Came back in a later year"), [c["returned"] for c in d.by_county]),
                ],
            )
        ),
        "trend": _svg(
            charts.line_chart(
                gettext("Participation over the years"),
                years,
                [
                    (gettext("Confirmed participants"), [y["confirmed"] for y in d.by_year]),
                    (gettext("Attended at least once"), [y["attended"] for y in d.by_year]),
                    (gettext("Completed (certified)"), [y["completed"] for y in d.by_year]),
                ],
                partial=unfinished_years(years),
                partial_note=gettext("* The year is not over: its figures are still growing."),
                gap_label=gettext("{start}–{end}: no data"),
            )
        ),
        "funnel": _svg(
            charts.funnel_chart(
                gettext("Completion funnel"),
                [(gettext(FUNNEL_LABELS[k]), v) for k, v in funnel(d.totals)],
            )
        ),
        "exchange": _svg(
            charts.bar_chart(
                gettext("Exchange cohort members per sending county"),
                list(exchange_by_county),
                [(gettext("Selected"), list(exchange_by_county.values()))],
            )
        ),
    }


async def _page_context(request: Request[Any, Any, Any], d: service.Dashboard) -> dict[str, Any]:
    query = d.filters.as_query()
    return {
        "d": d,
        "views": {v.slug: v for v in build_views(d)},
        "charts": dashboard_charts(d),
        "format_cell": format_cell,
        "query": urlencode(query),
        "filter_values": query,
        "all_years": await service.years(),
        "all_subjects": await service.subjects(),
        "levels": choices("school_level"),
        "principal": current_principal(request),
    }


@get("/stats", name="stats_dashboard", guards=[organiser_or_coordinator], include_in_schema=False)
async def dashboard_page(request: Request[Any, Any, Any]) -> Template:
    d = await service.dashboard(filters_of(request), current_principal(request))
    return Template(template_name="stats/dashboard.html", context=await _page_context(request, d))


@get(
    "/stats/report/{year:int}",
    name="stats_report",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def report_page(request: Request[Any, Any, Any], year: FromPath[int]) -> Template:
    base = filters_of(request)
    filters = Filters(base.programme_id, year, year, base.county_id, base.school_level, base.subject)
    d = await service.dashboard(filters, current_principal(request))
    context = await _page_context(request, d)
    context["year"] = year
    return Template(template_name="stats/report.html", context=context)


@get(
    "/stats/counties/{county_id:int}",
    name="stats_county",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def county_page(request: Request[Any, Any, Any], county_id: FromPath[int]) -> Template:
    principal = current_principal(request)
    filters = filters_of(request)
    page = (
        max(1, int(request.query_params.get("page", "1") or 1))
        if request.query_params.get("page", "1").isdigit()
        else 1
    )
    schools = await service.county_schools(county_id, filters, principal)
    teachers, total = await service.county_teachers(county_id, filters, principal, page=page)
    county = (await service.counties()).get(county_id)
    if county is None:
        raise NotFound()
    query = filters.as_query()
    query.pop("county", None)
    return Template(
        template_name="stats/county.html",
        context={
            "county": county,
            "schools": schools,
            "teachers": teachers,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // service.PAGE_SIZE)),
            "query": urlencode(query),
            "format_cell": format_cell,
        },
    )


@get(
    "/stats/teachers/{teacher_id:int}",
    name="stats_teacher",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def teacher_page(request: Request[Any, Any, Any], teacher_id: FromPath[int]) -> Template:
    history = await service.teacher_history(teacher_id, current_principal(request))
    return Template(template_name="stats/teacher.html", context={"t": history, "format_cell": format_cell})


@get("/stats/export.xlsx", name="stats_xlsx", guards=[organiser_or_coordinator], include_in_schema=False)
async def export_xlsx(request: Request[Any, Any, Any]) -> Response[bytes]:
    d = await service.dashboard(filters_of(request), current_principal(request))
    body = exports.to_xlsx(build_views(d), subtitle=gettext("Teacher training statistics"))
    return Response(
        content=body,
        media_type=XLSX,
        headers={"content-disposition": 'attachment; filename="training-stats.xlsx"'},
    )


@get(
    "/stats/csv/{view:str}",
    name="stats_csv",
    guards=[organiser_or_coordinator],
    include_in_schema=False,
)
async def export_csv(request: Request[Any, Any, Any], view: FromPath[str]) -> Response[bytes]:
    """/stats/csv/<view>.csv: one view as CSV (UTF-8 with BOM)."""
    d = await service.dashboard(filters_of(request), current_principal(request))
    table = view_by_slug(d, view.removesuffix(".csv")) if view.endswith(".csv") else None
    if table is None:
        raise NotFound()
    return Response(
        content=exports.to_csv(table),
        media_type="text/csv",  # Litestar appends "; charset=utf-8" to text types itself
        headers={"content-disposition": f'attachment; filename="training-stats-{table.slug}.csv"'},
    )


FOLD_EVERY_SECONDS = 30.0
log = logging.getLogger("training.stats")


async def fold_cells(settings: Any) -> None:
    """Keep the cell deltas short: readers add them anyway, so a missed fold costs time, never correctness."""
    while True:
        await asyncio.sleep(FOLD_EVERY_SECONDS)
        try:
            await schema.fold()
        except Exception:  # the next round retries; a failure must not end the loop
            log.exception("folding statistics deltas failed")


CATCH_UP_EVERY_SECONDS = 2.0
CATCH_UP_PER_ROUND = 100  # ~1 ms of database CPU each: at most ~5% of a core while a rush is on


async def catch_up_statistics(settings: Any) -> None:
    """PostgreSQL: refresh the fact rows queued by check-ins and enrollments a little at a time, so that a reader
    after a rush finds little to do (readers catch up on the rest themselves) without taking the CPU from scans."""
    while True:
        await asyncio.sleep(CATCH_UP_EVERY_SECONDS)
        try:
            await schema.catch_up(limit=CATCH_UP_PER_ROUND)
        except Exception:  # the next round (or the next reader) retries
            log.exception("refreshing queued statistics failed")


background_tasks = [fold_cells, catch_up_statistics]

route_handlers: list[Any] = [
    dashboard_page,
    report_page,
    county_page,
    teacher_page,
    export_xlsx,
    export_csv,
    *api_handlers,
]
nav_items = [NavItem(N_("Statistics"), "stats_dashboard", ("organiser", "coordinator"), order=60)]

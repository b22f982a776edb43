"""Statistics as JSON: /api/v1/stats. The same service functions and figures as the pages; coordinators see their
own county only (the service decides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, get
from litestar.params import FromPath

from training.stats import service
from training.stats.drilldown import SchoolFigures, TeacherFigures, TeacherHistory
from training.stats.figures import Filters
from training.web.guards import current_principal, organiser_or_coordinator

Req = Request[Any, Any, Any]


@dataclass(frozen=True, slots=True)
class CountyFigures:
    county: int
    schools: list[SchoolFigures]
    teachers: list[TeacherFigures]
    teachers_total: int
    page: int


def filters_of(request: Req) -> Filters:
    return service.filters_from_query({k: v for k, v in request.query_params.items()})


def page_number(request: Req) -> int:
    raw = request.query_params.get("page", "1")
    return min(int(raw), 100_000) if raw.isdigit() and int(raw) > 0 else 1


@get("/api/v1/stats/dashboard", name="api_stats_dashboard", guards=[organiser_or_coordinator])
async def api_dashboard(request: Req) -> dict[str, Any]:
    """The dashboard's figures for the filters in the query string (programme, from, to, county, level, subject)."""
    d = await service.dashboard(filters_of(request), current_principal(request))
    return d.as_json()


@get("/api/v1/stats/counties/{county_id:int}", name="api_stats_county", guards=[organiser_or_coordinator])
async def api_county(request: Req, county_id: FromPath[int]) -> CountyFigures:
    """A county's schools and (a page of) its teachers, phones masked."""
    principal = current_principal(request)
    filters = filters_of(request)
    page = page_number(request)
    schools = await service.county_schools(county_id, filters, principal)
    teachers, total = await service.county_teachers(county_id, filters, principal, page=page)
    return CountyFigures(
        county=county_id, schools=schools, teachers=teachers, teachers_total=total, page=page
    )


@get("/api/v1/stats/teachers/{teacher_id:int}", name="api_stats_teacher", guards=[organiser_or_coordinator])
async def api_teacher(request: Req, teacher_id: FromPath[int]) -> TeacherHistory:
    """One teacher's history across the years (sessions, hours, certificates)."""
    return await service.teacher_history(teacher_id, current_principal(request))


route_handlers: list[Any] = [api_dashboard, api_county, api_teacher]

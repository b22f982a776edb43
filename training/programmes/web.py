"""Organiser pages for programmes and sessions (read-only overview; scheduling is built on top)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from training.i18n import N_
from training.people.tables import County
from training.programmes.tables import Programme, TrainingSession
from training.web.guards import organiser_or_coordinator
from training.web.nav import NavItem


@get("/admin", name="admin_home", guards=[organiser_or_coordinator], include_in_schema=False)
async def admin_home(request: Request[Any, Any, Any]) -> Template:
    programmes = await Programme.select().order_by(Programme.id)
    sessions = await TrainingSession.select(
        TrainingSession.id,
        TrainingSession.title,
        TrainingSession.year,
        TrainingSession.programme,
        TrainingSession.starts_on,
        TrainingSession.ends_on,
        TrainingSession.host_city,
        TrainingSession.venue,
        TrainingSession.capacity,
        TrainingSession.seats_taken,
        TrainingSession.status,
    ).order_by(TrainingSession.starts_on, ascending=False)
    by_programme: dict[int, list[dict[str, Any]]] = {p["id"]: [] for p in programmes}
    for session in sessions:
        by_programme.setdefault(session["programme"], []).append(session)
    county_count = await County.count().where(County.aided.eq(True))
    return Template(
        template_name="programmes/admin_home.html",
        context={
            "programmes": programmes,
            "sessions_by_programme": by_programme,
            "county_count": county_count,
        },
    )


route_handlers: list[Any] = [admin_home]
nav_items = [NavItem(N_("Overview"), "/admin", ("organiser", "coordinator"), order=10)]

"""Organiser pages for counties and schools (read-only list; editing is built on top)."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.response import Template

from training.i18n import N_
from training.people.tables import County, School
from training.web.guards import organiser_only
from training.web.nav import NavItem


@get("/admin/counties", name="counties", guards=[organiser_only], include_in_schema=False)
async def counties_page() -> Template:
    counties = await County.select().order_by(County.province).order_by(County.code)
    school_counts = await School.raw('SELECT "county", COUNT(*) AS n FROM "school" GROUP BY "county"')
    counts = {row["county"]: row["n"] for row in school_counts}
    return Template(
        template_name="people/counties.html", context={"counties": counties, "school_counts": counts}
    )


route_handlers: list[Any] = [counties_page]
nav_items = [NavItem(N_("Counties"), "/admin/counties", ("organiser",), order=20)]

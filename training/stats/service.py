"""The statistics readers in one namespace for pages, the API, exports, the CLI, benchmarks and tests.

`access` (who sees what, filters from a query string), `sql` (every dashboard query), `dashboard` (the assembled
page), `drilldown` (a county's schools and teachers, a teacher's history).
"""

from __future__ import annotations

from training.stats.access import SCHOOL_LEVELS, filters_from_query, scope
from training.stats.dashboard import Dashboard, dashboard
from training.stats.drilldown import PAGE_SIZE, county_schools, county_teachers, teacher_history
from training.stats.sql import (
    breakdown,
    counties,
    programmes,
    sessions_held,
    subjects,
    teachers_by_county,
    teachers_trained,
    years,
)

__all__ = [
    "PAGE_SIZE",
    "SCHOOL_LEVELS",
    "Dashboard",
    "breakdown",
    "counties",
    "county_schools",
    "county_teachers",
    "dashboard",
    "filters_from_query",
    "programmes",
    "scope",
    "sessions_held",
    "subjects",
    "teacher_history",
    "teachers_by_county",
    "teachers_trained",
    "years",
]

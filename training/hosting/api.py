"""Hosting's JSON API under /api/v1/hosting: the cohorts a staff member may see and a cohort's teachers with
their pairing. Organisers see every exchange cohort, host coordinators their own city's (403 for another's)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import FromPath

from training.hosting import service
from training.web.guards import current_principal, organiser_or_host


class CohortOut(msgspec.Struct):
    id: int
    title: str
    year: int
    host_city: str
    host_institution: str
    teachers: int
    paired: int


class TeacherOut(msgspec.Struct):
    enrollment_id: int
    name: str
    county: str
    school: str
    subject: str
    grade_band: str
    host_school: str | None
    mentor: str | None
    pairing_source: str | None


@get(
    "/api/v1/hosting/cohorts",
    name="hosting_api_cohorts",
    guards=[organiser_or_host],
    tags=["hosting"],
    summary="Exchange cohorts this account may see (a host coordinator: its city's)",
)
async def cohorts(request: Request[Any, Any, Any]) -> list[CohortOut]:
    return [
        CohortOut(
            int(c["id"]),
            c["title"],
            int(c["year"]),
            c["host_city"],
            c["host_institution"],
            int(c["teachers"]),
            int(c["paired"]),
        )
        for c in await service.visible_cohorts(current_principal(request))
    ]


@get(
    "/api/v1/hosting/cohorts/{session_id:int}/teachers",
    name="hosting_api_teachers",
    guards=[organiser_or_host],
    tags=["hosting"],
    summary="A cohort's confirmed teachers with host school and mentor",
)
async def teachers(request: Request[Any, Any, Any], session_id: FromPath[int]) -> list[TeacherOut]:
    await service.cohort_for(current_principal(request), session_id)
    return [
        TeacherOut(
            int(t["enrollment_id"]),
            t["name"] or "",
            t["county"] or "",
            t["school"] or "",
            t["subject"] or "",
            t["grade_band"] or "",
            t["host_school"],
            t["mentor"],
            t["source"],
        )
        for t in await service.cohort_teachers(session_id)
    ]


api_handlers = [cohorts, teachers]

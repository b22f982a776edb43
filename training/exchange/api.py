"""The exchange domain's JSON API: a cohort's itineraries and rooms, for organisers (greeters' phones in full) and
county coordinators (their county's teachers, phones masked)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath

from training.exchange import reads, service
from training.web.guards import current_principal, organiser_or_coordinator


@get(
    "/api/v1/exchange/{session_id:int}/itineraries",
    name="exchange_itineraries_api",
    guards=[organiser_or_coordinator],
    tags=["exchange"],
    summary="The cohort's itineraries, per teacher the actor may see",
)
async def itineraries_api(request: Request[Any, Any, Any], session_id: FromPath[int]) -> dict[str, Any]:
    actor = current_principal(request)
    people = await service.members(actor, session_id)
    found = await reads.itineraries(session_id, [m.enrollment_id for m in people], reveal=actor.is_organiser)
    return {
        "items": [
            {
                "enrollment_id": m.enrollment_id,
                "name": m.name,
                "county": m.county_name,
                "itinerary": found.get(m.enrollment_id),
            }
            for m in people
        ]
    }


@get(
    "/api/v1/exchange/{session_id:int}/rooms",
    name="exchange_rooms_api",
    guards=[organiser_or_coordinator],
    tags=["exchange"],
    summary="The cohort's rooms, per teacher the actor may see",
)
async def rooms_api(request: Request[Any, Any, Any], session_id: FromPath[int]) -> dict[str, Any]:
    actor = current_principal(request)
    people = await service.members(actor, session_id)
    found = await service.visible_rooms(actor, session_id, [m.enrollment_id for m in people])
    return {
        "items": [
            {
                "enrollment_id": m.enrollment_id,
                "name": m.name,
                "county": m.county_name,
                "room": found.get(m.enrollment_id),
            }
            for m in people
        ]
    }


api_handlers = [itineraries_api, rooms_api]

"""The audit log's JSON API: /api/v1/audit, newest first (organisers)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.params import QueryParameter

from training.audit import service
from training.web.guards import organiser_only


@get(
    "/api/v1/audit",
    name="audit_api",
    guards=[organiser_only],
    tags=["audit"],
    summary="The audit log, newest first",
)
async def audit_api(
    entity: Annotated[str, QueryParameter(description="session / block / quotas / county / school / …")] = "",
    entity_id: Annotated[str, QueryParameter()] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> dict[str, Any]:
    result = await service.list_entries(entity=entity, entity_id=entity_id, limit=limit, offset=offset)
    return {"items": result.items, "total": result.total, "limit": limit, "offset": offset}


api_handlers = [audit_api]

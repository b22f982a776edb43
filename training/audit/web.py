"""The organisers' audit-log viewer (HTML) and its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from training.audit import service
from training.i18n import N_, _
from training.web.guards import organiser_only
from training.web.nav import NavItem

PAGE_SIZE = 50
# Display names for what this log holds most; codes recorded by other domains are shown as they are.
LABELS = {
    "programme": N_("Programme"),
    "session": N_("Session"),
    "quotas": N_("County quotas"),
    "block": N_("Timetable block"),
    "county": N_("County"),
    "school": N_("School"),
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "published": N_("Published"),
    "closed": N_("Closed"),
    "unpublish": N_("Back to draft"),
    "copy": N_("Copied"),
    "copy_timetable": N_("Timetable copied"),
    "import": N_("Imported"),
}


def audit_label(code: str) -> str:
    return _(LABELS[code]) if code in LABELS else code


@get("/admin/audit", name="audit_log", guards=[organiser_only], include_in_schema=False)
async def audit_page(
    entity: FromQuery[str] = "", entity_id: FromQuery[str] = "", page: FromQuery[int] = 1
) -> Template:
    page = max(1, page)
    result = await service.list_entries(
        entity=entity[:32], entity_id=entity_id[:64], limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return Template(
        template_name="audit/log.html",
        context={
            "entries": result.items,
            "total": result.total,
            "page": page,
            "pages": max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE),
            "entity": entity,
            "entity_id": entity_id,
            "entities": await service.entity_names(),
            "audit_label": audit_label,
        },
    )


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


route_handlers: list[Any] = [audit_page, audit_api]
nav_items = [NavItem(N_("Audit log"), "/admin/audit", ("organiser",), order=90)]

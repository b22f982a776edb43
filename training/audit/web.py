"""The organisers' audit-log viewer (HTML) and its export (the JSON API: api.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from training import db
from training.audit import service
from training.audit import writer as audit_writer
from training.audit.api import api_handlers
from training.audit.exports import table_csv, table_xlsx
from training.audit.readable import COMMAND_LINE, ReadableEntry, describe, entity_label
from training.core.actor import Role
from training.i18n import N_, _
from training.rendering.templates import local_datetime
from training.web.guards import current_principal, organiser_only
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


async def _filters(person: str, session: str) -> dict[str, Any]:
    """person: a staff id, "cli" (the command line) or "system"; session: a session id."""
    chosen: dict[str, Any] = {}
    if person.isdigit():
        chosen["actor_id"] = int(person)
    elif person == "cli":
        chosen["actor_name"] = COMMAND_LINE
    elif person == "system":
        chosen["actor_name"] = "system"
    if session.isdigit():
        chosen["session_id"] = int(session)
    return chosen


async def _readable(entries: list[dict[str, Any]]) -> list[ReadableEntry]:
    names = await service.load_names(entries)
    return [describe(entry, names) for entry in entries]


@get("/admin/audit", name="audit_log", guards=[organiser_only], include_in_schema=False)
async def audit_page(
    entity: FromQuery[str] = "",
    entity_id: FromQuery[str] = "",
    person: FromQuery[str] = "",
    session: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    page = max(1, page)
    result = await service.list_entries(
        entity=entity[:32],
        entity_id=entity_id[:64],
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        **await _filters(person, session),
    )
    sessions = await db.fetch(
        'SELECT "id", "title" FROM "training_session" ORDER BY "starts_on" DESC, "id" DESC'
    )
    query = urlencode({"entity": entity, "entity_id": entity_id, "person": person, "session": session})
    return Template(
        template_name="audit/log.html",
        context={
            "entries": await _readable(result.items),
            "total": result.total,
            "page": page,
            "pages": max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE),
            "entity": entity,
            "entity_id": entity_id,
            "person": person,
            "session": session,
            "query": query,
            "people": await service.actors(),
            "sessions": sessions,
            "entities": await service.entity_names(),
            "audit_label": audit_label,
            "entity_label": entity_label,
        },
    )


EXPORT_LIMIT = 50_000


async def audit_export(
    request: Request[Any, Any, Any],
    entity: FromQuery[str] = "",
    entity_id: FromQuery[str] = "",
    person: FromQuery[str] = "",
    session: FromQuery[str] = "",
) -> Response[bytes]:
    """The filtered log as CSV or XLSX, one row per entry: time, who, what (the sentence), the changes."""
    fmt = "csv" if request.url.path.endswith(".csv") else "xlsx"
    result = await service.list_entries(
        entity=entity[:32], entity_id=entity_id[:64], limit=EXPORT_LIMIT, **await _filters(person, session)
    )
    entries = await _readable(result.items)
    headers = [_("Time"), _("Who"), _("What happened"), _("Changes")]
    rows = [
        [
            local_datetime(e.at, "%Y-%m-%d %H:%M:%S"),
            e.who,
            e.sentence,
            "\n".join(
                f"{c.label}: {c.before} → {c.after}" if c.pair else f"{c.label}: {c.after}" for c in e.changes
            ),
        ]
        for e in entries
    ]
    principal = current_principal(request)
    await audit_writer.record(principal, "export", "audit_entry", "", {"rows": len(rows), "format": fmt})
    data = table_csv(headers, rows) if fmt == "csv" else table_xlsx(_("Audit log"), headers, rows)
    media = (
        "text/csv"  # Litestar appends "; charset=utf-8" to text types itself
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        data,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="audit.{fmt}"', "cache-control": "no-store"},
    )


# One handler per format, so each download link reverses from its own route name.
audit_export_csv = get(
    "/admin/audit/export.csv", name="audit_export_csv", guards=[organiser_only], include_in_schema=False
)(audit_export)
audit_export_xlsx = get(
    "/admin/audit/export.xlsx", name="audit_export_xlsx", guards=[organiser_only], include_in_schema=False
)(audit_export)

route_handlers: list[Any] = [audit_page, audit_export_csv, audit_export_xlsx, *api_handlers]
nav_items = [NavItem(N_("Audit log"), "audit_log", (Role.ORGANISER,), order=90)]

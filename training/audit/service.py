"""Reading the audit log: pages of entries, the names they refer to, who appears in it (written by
training.audit.writer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from training import db
from training.audit.tables import AuditEntry


@dataclass
class AuditPage:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


# Entities whose id is a session's: filtering by session finds these.
SESSION_ENTITIES = ("session", "quotas")


async def list_entries(
    *,
    entity: str = "",
    entity_id: str = "",
    actor_id: int | None = None,
    actor_name: str | None = None,
    session_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Newest first. actor_id: one person; actor_name (with no actor id): the command line or the system."""
    where: list[Any] = []
    if entity:
        where.append(AuditEntry.entity == entity)
    if entity_id:
        where.append(AuditEntry.entity_id == entity_id)
    if actor_id is not None:
        where.append(AuditEntry.actor_id == actor_id)
    elif actor_name is not None:
        names = ("", "system") if actor_name in ("", "system") else (actor_name,)
        where.append(AuditEntry.actor_id.is_null() & AuditEntry.actor_name.is_in(list(names)))
    if session_id is not None:
        where.append(
            AuditEntry.entity.is_in(list(SESSION_ENTITIES)) & (AuditEntry.entity_id == str(session_id))
        )
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit).offset(offset)
    count = AuditEntry.count()
    for condition in where:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query
    for row in rows:  # JSON columns come back as text on some engines
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"] or "{}")
    return AuditPage(items=rows, total=await count, limit=limit, offset=offset)


async def load_names(entries: list[dict[str, Any]]) -> Any:
    """The display names the entries refer to (people, sessions, counties, …), a few queries for a page."""
    from training.audit.readable import ENTITIES, Names, referenced_ids

    names = Names()
    actor_ids = sorted({int(e["actor_id"]) for e in entries if e.get("actor_id")})
    if actor_ids:
        # by table name, like the entities below: the log sits under every domain and imports none of them
        rows = await db.fetch(
            'SELECT "id", "display_name", "username" FROM "staff_user" WHERE "id" IN ('  # noqa: S608 (fixed names)
            + ", ".join("{}" for _ in actor_ids)
            + ")",
            *actor_ids,
        )
        names.actors = {int(r["id"]): r["display_name"] or r["username"] for r in rows}
    for entity, ids in referenced_ids(entries).items():
        known = ENTITIES.get(entity)
        if not known or not known[1] or not ids:
            continue
        _, table, column = known
        ordered = sorted(ids)
        rows = await db.fetch(
            f'SELECT "id", "{column}" AS name FROM "{table}" WHERE "id" IN ('  # noqa: S608 (fixed names)
            + ", ".join("{}" for _ in ordered)
            + ")",
            *ordered,
        )
        names.things[entity] = {str(r["id"]): str(r["name"] or "") for r in rows}
    return names


async def actors() -> list[dict[str, Any]]:
    """Everyone who appears in the log: staff accounts by id, then the command line and the system."""
    rows = await db.fetch(
        'SELECT DISTINCT a."actor_id" AS id, u."display_name" AS display_name, u."username" AS username '
        'FROM "audit_entry" a JOIN "staff_user" u ON u."id" = a."actor_id" ORDER BY u."display_name"'
    )
    return [{"id": int(r["id"]), "name": r["display_name"] or r["username"]} for r in rows]


async def entity_names() -> list[str]:
    rows = await db.fetch('SELECT DISTINCT "entity" FROM "audit_entry" ORDER BY "entity"')
    return [r["entity"] for r in rows]

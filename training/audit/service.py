"""The audit log: every create/update/delete by a staff member (who, when, what changed).

Other domains call `record(...)` INSIDE their write transaction, so the entry commits or rolls back with the
change it describes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from training.accounts.principal import Principal
from training.audit.changes import diff, json_value
from training.audit.tables import AuditEntry


async def record(
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: int | str | None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Write one entry. changes: any JSON-able mapping; by convention field → [before, after] (see `diff`)."""
    await AuditEntry.insert(
        AuditEntry(
            at=datetime.now(UTC),
            actor_id=actor.user_id if actor else None,
            actor_name=(actor.display_name or actor.username)[:64] if actor else "",
            action=action[:32],
            entity=entity[:32],
            entity_id="" if entity_id is None else str(entity_id),
            changes=json_value(dict(changes or {})),
        )
    )


async def record_change(
    actor: Principal | None,
    entity: str,
    entity_id: int | str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    action: str | None = None,
) -> None:
    """create (before None) / update / delete (after None) with the differing fields; an update that changed
    nothing is not recorded."""
    changes = diff(before, after)
    if action is None:
        action = "create" if before is None else "delete" if after is None else "update"
    if action == "update" and not changes:
        return
    await record(actor, action, entity, entity_id, changes)


@dataclass
class AuditPage:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


async def list_entries(
    *,
    entity: str = "",
    entity_id: str = "",
    actor_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    where = []
    if entity:
        where.append(AuditEntry.entity == entity)
    if entity_id:
        where.append(AuditEntry.entity_id == entity_id)
    if actor_id is not None:
        where.append(AuditEntry.actor_id == actor_id)
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


async def entity_names() -> list[str]:
    rows = await AuditEntry.raw('SELECT DISTINCT "entity" FROM "audit_entry" ORDER BY "entity"')
    return [r["entity"] for r in rows]

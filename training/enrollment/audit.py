"""What staff did to registrations, in the shared audit log (written in the caller's transaction when there is one):
decisions, cancellations, nominations, imports, and roster exports (which carry full mobile numbers)."""

from __future__ import annotations

from typing import Any

from training.accounts.tables import StaffUser
from training.audit.service import anonymous_actor_name
from training.audit.tables import AuditEntry


async def record(
    actor_id: int | None, action: str, entity: str, entity_id: int | str, changes: dict[str, Any]
) -> None:
    name = anonymous_actor_name()
    if actor_id is not None:
        row = await StaffUser.select(StaffUser.username).where(StaffUser.id == actor_id).first()
        name = row["username"] if row else ""
    await AuditEntry.insert(
        AuditEntry(
            actor_id=actor_id,
            actor_name=name,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            changes=changes,
        )
    )

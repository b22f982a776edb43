"""The one way into the audit log: every create/update/delete by a staff member (who, when, what changed).

Domains call `record(...)` INSIDE their write transaction, so the entry commits or rolls back with the change it
describes. The actor is the `Actor` of the request (named by `Actor.name`), or None for an act with no staff
member behind it, named "command line" in `training …` commands and "system" elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from training.audit.changes import diff, json_value
from training.audit.tables import AuditEntry
from training.core.actor import Actor
from training.core.clock import utc_now

COMMAND_LINE = "command line"  # actor_name of rows written by `training …` commands
_origin = {"name": "system"}


def mark_command_line() -> None:
    """Entries written from now on in this process without a staff member are the command line's."""
    _origin["name"] = COMMAND_LINE


def anonymous_actor_name() -> str:
    """actor_name of an entry with no staff member: "command line" in `training …` commands, else "system"."""
    return _origin["name"]


async def record(
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | str | None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Write one entry. changes: any JSON-able mapping; by convention field → [before, after] (see `diff`)."""
    await AuditEntry.insert(
        AuditEntry(
            at=utc_now(),
            actor_id=actor.user_id if actor else None,
            actor_name=actor.name[:64] if actor else anonymous_actor_name(),
            action=action[:32],
            entity=entity[:32],
            entity_id="" if entity_id is None else str(entity_id),
            changes=json_value(dict(changes or {})),
        )
    )


async def record_change(
    actor: Actor | None,
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

"""What changed between two versions of a row, as JSON-safe values. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

# Never copied into the audit log, whatever the entity (they are protected or meaningless there).
SKIPPED = frozenset(
    {"id_encrypted", "id_hash", "phone_encrypted", "phone_hash", "password_hash", "updated_at"}
)


def json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return value


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """field → [before, after] for every field that differs. A create has before None, a delete after None."""
    old = dict(before or {})
    new = dict(after or {})
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        if key in SKIPPED:
            continue
        a, b = json_value(old.get(key)), json_value(new.get(key))
        if (before is None or after is None) and a in ("", None) and b in ("", None):
            continue  # a create or delete lists the fields that had a value, not every empty one
        if a != b:
            changes[key] = [a, b]
    return changes

"""Reading the scheduling forms (dates, local date-times, times, decimals) and showing service errors on them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from training.errors import DomainError
from training.programmes.rules import LOCAL_TZ
from training.web.forms import FormState


def local_datetime(form: FormState, name: str) -> datetime | None:
    """An <input type=datetime-local> value, read as China time, returned as aware UTC."""
    raw = form.values.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        form.error(name, "invalid_datetime")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def datetime_input(value: datetime | None) -> str:
    """The value attribute for a datetime-local input (China time)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def time_of_day(form: FormState, name: str, *, required: bool = False) -> time | None:
    raw = form.values.get(name, "").strip()
    if not raw:
        if required:
            form.error(name, "required")
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        form.error(name, "invalid_time")
        return None


def decimal(form: FormState, name: str, *, required: bool = False) -> float | None:
    raw = form.values.get(name, "").strip().replace(",", ".")
    if not raw:
        if required:
            form.error(name, "required")
        return None
    try:
        value = float(raw)
    except ValueError:
        form.error(name, "invalid_decimal")
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN / infinity
        form.error(name, "invalid_decimal")
        return None
    return value


def show_error(form: FormState, exc: DomainError) -> str | None:
    """Put a service error next to its fields; returns the code of an error that belongs to no field (for an
    alert at the top), or None."""
    field_params: dict[str, dict[str, Any]] = getattr(exc, "field_params", {})
    for name, code in exc.fields.items():
        form.error(name, code, **(field_params.get(name) or exc.params))
    return None if exc.fields and exc.code == "validation_failed" else exc.code


def as_values(row: dict[str, Any]) -> dict[str, str]:
    """A stored row as form values (strings)."""
    values: dict[str, str] = {}
    for key, value in row.items():
        if value is None:
            values[key] = ""
        elif isinstance(value, datetime):
            values[key] = datetime_input(value)
        elif isinstance(value, time):
            values[key] = value.strftime("%H:%M")
        elif isinstance(value, float):
            values[key] = f"{value:g}"
        else:
            values[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return values

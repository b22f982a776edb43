"""Pure arithmetic on aggregated rows: rates, totals, per-county and per-year roll-ups, the funnel.

Inputs are the small aggregated rows the service's GROUP BY queries return (counties × years × programmes),
never per-enrollment rows. No I/O, no project imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

COUNT_KEYS = ("registered", "confirmed", "attended", "completed")
SUM_KEYS = (*COUNT_KEYS, "hours")


@dataclass(frozen=True)
class Filters:
    """What the dashboard is restricted to. None means "all"."""

    programme_id: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    county_id: int | None = None
    school_level: str | None = None
    subject: str | None = None

    def as_query(self) -> dict[str, str]:
        names = {
            "programme_id": "programme",
            "year_from": "from",
            "year_to": "to",
            "county_id": "county",
            "school_level": "level",
            "subject": "subject",
        }
        return {names[k]: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


YEAR_BASE = 2000  # bit 0 of the years masks in stats_teacher_years (see training/stats/schema.py)
YEAR_LAST = YEAR_BASE + 62


def year_mask(year_from: int | None, year_to: int | None) -> int:
    """The bits of the years from..to (inclusive, clamped to 2000-2062) as a signed 64-bit mask."""
    low = max(YEAR_BASE, year_from if year_from is not None else YEAR_BASE)
    high = min(YEAR_LAST, year_to if year_to is not None else YEAR_LAST)
    if low > high:
        return 0
    return ((1 << (high - low + 1)) - 1) << (low - YEAR_BASE)


def rate(part: int | float, whole: int | float) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as "—", never as 0 %)."""
    return None if not whole else part / whole


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    """Adds attendance_rate (attended / confirmed) and completion_rate (completed / confirmed)."""
    row = dict(row)
    row["attendance_rate"] = rate(row["attended"], row["confirmed"])
    row["completion_rate"] = rate(row["completed"], row["confirmed"])
    return row


def empty_counts() -> dict[str, Any]:
    return {"registered": 0, "confirmed": 0, "attended": 0, "completed": 0, "hours": 0.0}


def roll_up(
    rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]
) -> dict[Any, dict[str, Any]]:
    """Sums SUM_KEYS of aggregated rows by `key`; returns key → counts with rates."""
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        acc = out.setdefault(key(row), empty_counts())
        for k in SUM_KEYS:
            acc[k] += row[k]
    return {k: with_rates(v) for k, v in out.items()}


def total(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return roll_up(rows, lambda _: None).get(None) or with_rates(empty_counts())


def funnel(totals: dict[str, Any]) -> list[tuple[str, int]]:
    """The completion funnel: registered → confirmed → attended at least once → completed."""
    return [(k, int(totals[k])) for k in COUNT_KEYS]


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"

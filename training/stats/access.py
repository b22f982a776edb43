"""Who may see which figures, and the filters a query string asks for (pages, API, exports and CLI share them).

`scope()` pins a coordinator to their own county and refuses any other; organisers see everything."""

# SQL here is assembled only from constant fragments; every value is a bound {} parameter.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from training.core.actor import Actor
from training.errors import Forbidden, ValidationFailed
from training.stats.figures import Filters


def scope(filters: Filters, principal: Actor) -> Filters:
    """The filters this principal may use: organisers anything; coordinators only their own county."""
    if principal.is_organiser:
        return filters
    if principal.is_coordinator and principal.county_id is not None:
        if filters.county_id is not None and filters.county_id != principal.county_id:
            raise Forbidden()
        return replace(filters, county_id=principal.county_id)
    raise Forbidden()


SCHOOL_LEVELS = ("kindergarten", "primary", "junior", "senior", "nine_year", "vocational", "other")


def filters_from_query(query: Mapping[str, str]) -> Filters:
    """programme, from, to, county (ids / years), level, subject; empty values mean "all"."""
    errors: dict[str, str] = {}

    def integer(name: str, low: int, high: int) -> int | None:
        raw = (query.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            errors[name] = "invalid_number"
            return None
        if not low <= value <= high:
            errors[name] = "invalid_number"
            return None
        return value

    programme = integer("programme", 1, 2**31 - 1)
    year_from = integer("from", 1900, 2200)
    year_to = integer("to", 1900, 2200)
    county = integer("county", 1, 2**31 - 1)
    level = (query.get("level") or "").strip() or None
    if level is not None and level not in SCHOOL_LEVELS:
        errors["level"] = "invalid_choice"
    subject = (query.get("subject") or "").strip()[:32] or None
    if errors:
        raise ValidationFailed(errors)
    return Filters(programme, year_from, year_to, county, level, subject)

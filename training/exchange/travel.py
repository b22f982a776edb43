"""Pure rules of travel: what a leg must say, and how a cohort's arrivals gather into station pick-ups."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from training.exchange.states import LegMode

MODES = tuple(m.value for m in LegMode)
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
LIMITS = {"number": 16, "from_station": 64, "to_station": 64, "meet_name": 64, "group_name": 64, "note": 500}


@dataclass(frozen=True, slots=True)
class LegDraft:
    """A leg as typed: times are aware (UTC), the phone as given (stored encrypted and masked)."""

    mode: str
    number: str
    from_station: str
    to_station: str
    departs_at: datetime
    arrives_at: datetime
    meet_name: str = ""
    meet_phone: str = ""
    position: int | None = None  # None: after the last leg


def leg_problems(leg: LegDraft) -> dict[str, str]:
    """field → error code for what a leg cannot be."""
    problems: dict[str, str] = {}
    if leg.mode not in MODES:
        problems["mode"] = "invalid_choice"
    for name in ("from_station", "to_station"):
        if not getattr(leg, name).strip():
            problems[name] = "required"
    for name in ("number", "from_station", "to_station", "meet_name"):
        if len(getattr(leg, name)) > LIMITS[name]:
            problems[name] = "too_long"
    if leg.arrives_at < leg.departs_at:
        problems["arrives_at"] = "arrives_before_departure"
    if leg.meet_phone and not PHONE.match(leg.meet_phone.strip()):
        problems["meet_phone"] = "phone_invalid"
    return problems


def normalize_phone(raw: str) -> str:
    return re.sub(r"[ -]", "", raw.strip())


@dataclass(frozen=True, slots=True)
class PickupLeg:
    """A leg someone must meet, as the pick-up list needs it (China time)."""

    leg_id: int
    group_name: str  # the group, or the traveller's name for a leg of her own
    number: str
    from_station: str
    to_station: str
    arrives_at: datetime
    meet_name: str
    meet_phone: str


@dataclass(frozen=True, slots=True)
class Pickup:
    """Everyone arriving at one station on one day, by arrival time."""

    station: str
    day: date
    arrivals: tuple[tuple[PickupLeg, tuple[str, ...]], ...]  # the leg and the names of who is on it

    @property
    def people(self) -> int:
        return sum(len(names) for _, names in self.arrivals)


def pickups(legs: Iterable[PickupLeg], passengers: Mapping[int, list[str]]) -> list[Pickup]:
    """Arrivals gathered per station and day; a leg nobody travels on is left out."""
    by_place: dict[tuple[str, date], list[tuple[PickupLeg, tuple[str, ...]]]] = {}
    for leg in legs:
        names = tuple(sorted(passengers.get(leg.leg_id, [])))
        if names:
            by_place.setdefault((leg.to_station, leg.arrives_at.date()), []).append((leg, names))
    return [
        Pickup(station, day, tuple(sorted(items, key=lambda item: (item[0].arrives_at, item[0].leg_id))))
        for (station, day), items in sorted(by_place.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]

"""Who is making a request. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    role: str  # organiser / coordinator / staff
    county_id: int | None = None

    @property
    def is_organiser(self) -> bool:
        return self.role == "organiser"

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    def may_see_county(self, county_id: int | None) -> bool:
        """Organisers see every county; coordinators only their own; on-site staff none by this rule."""
        if self.is_organiser:
            return True
        return self.is_coordinator and county_id is not None and county_id == self.county_id

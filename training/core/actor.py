"""Who is acting: the one type handlers and services pass for the staff member behind a request or a write.

A write with no staff member behind it (the command line, a worker, a teacher on her own pages) passes `None`
where an `Actor | None` is accepted; the audit log names such entries "command line" or "system". Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A staff account's role (staff_user.role; the database refuses another value). A StrEnum: members are
    their strings, so stored rows and comparisons with plain strings keep working."""

    ORGANISER = "organiser"  # runs programmes: every page
    COORDINATOR = "coordinator"  # a county's coordinator: her own county's teachers
    STAFF = "staff"  # on-site staff: the scanner
    HOST = "host"  # a Jiangsu host city's coordinator: only the teachers it receives (training/hosting)


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None  # None: no staff account behind the act (the command line, a named person in a demo)
    username: str
    display_name: str
    role: str  # organiser / coordinator / staff / host
    county_id: int | None = None
    host_city: str = ""  # host coordinators: the host city whose cohorts they receive ("南通市")

    @property
    def name(self) -> str:
        """How records name this actor (audit log, check-ins): the display name, else the username."""
        return self.display_name or self.username

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_host(self) -> bool:
        return self.role == Role.HOST

    def may_see_host_city(self, city: str) -> bool:
        """Organisers see every host city; a host coordinator only its own; nobody else any."""
        if self.is_organiser:
            return True
        return self.is_host and bool(city) and city == self.host_city

    def may_see_county(self, county_id: int | None) -> bool:
        """Organisers see every county; coordinators only their own; on-site staff none by this rule."""
        if self.is_organiser:
            return True
        return self.is_coordinator and county_id is not None and county_id == self.county_id

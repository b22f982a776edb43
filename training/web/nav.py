"""Navigation entries contributed by each domain, filtered by role when a page is drawn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str  # English msgid, translated when drawn
    route: str  # the route name the entry links to
    roles: tuple[str, ...]  # who sees it: organiser / coordinator / staff; () = everyone, even anonymous
    order: int = 50

"""Sections of the teacher's self-service page (`/me/{token}`) that packages above enrollment contribute.

A section is a name, an order and an async function that receives the page's `EnrollmentView` and returns the
context of the section's template, or None when the section has nothing to show for this registration. The page
includes each shown section's template, in ascending order, after the timetable and before the "My details"
button; the template sees the page's own context (`v`, `csrf()`, `url_for`, `_`) and `section`, the mapping the
function returned.

`training/wiring.py` registers the sections once per process (the app, the command line, the tests); a package
never registers itself on import. Registering a name again replaces that section.

    register(SelfServiceSection("hours", 20, "ledger/_my_hours.html", hours_section))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from training.enrollment.self_service import EnrollmentView

SectionContext = Callable[[EnrollmentView], Awaitable[Mapping[str, Any] | None]]


@dataclass(frozen=True)
class SelfServiceSection:
    name: str
    order: int
    template: str
    context: SectionContext


@dataclass(frozen=True)
class ShownSection:
    name: str
    template: str
    section: Mapping[str, Any]


_sections: dict[str, SelfServiceSection] = {}


def register(section: SelfServiceSection) -> None:
    _sections[section.name] = section


def registered() -> list[SelfServiceSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


async def shown(view: EnrollmentView) -> list[ShownSection]:
    """The sections with something to show for this registration, in page order."""
    result = []
    for entry in registered():
        context = await entry.context(view)
        if context is not None:
            result.append(ShownSection(entry.name, entry.template, context))
    return result

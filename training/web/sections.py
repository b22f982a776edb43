"""Page sections: parts of a page that packages above the page's own contribute, without the page importing them.

A page keeps one `PageSections[S]`, where S is what the page is about (the teacher's enrollment on /me, the staff
account on /admin/accounts/{id}). A `Section[S]` is a name, an order, a template and an async function that
receives the subject and returns the context of the section's template, or None when the section has nothing to
show. The page includes each shown section's template in ascending order; the template sees the page's own
context (`csrf()`, `url_for`, `_` and the page's variables) and `section`, the mapping the function returned:

    {% for shown in sections %}{% set section = shown.section %}{% include shown.template %}{% endfor %}

`training/wiring.py` registers the sections once per process; a package never registers itself on import.
Registering a name again replaces that section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

S = TypeVar("S")


@dataclass(frozen=True)
class Section(Generic[S]):
    name: str
    order: int
    template: str
    context: Callable[[S], Awaitable[Mapping[str, Any] | None]]


@dataclass(frozen=True)
class ShownSection:
    name: str
    template: str
    section: Mapping[str, Any]


class PageSections(Generic[S]):
    def __init__(self) -> None:
        self._sections: dict[str, Section[S]] = {}

    def register(self, section: Section[S]) -> None:
        self._sections[section.name] = section

    def registered(self) -> list[Section[S]]:
        return sorted(self._sections.values(), key=lambda s: (s.order, s.name))

    async def shown(self, subject: S) -> list[ShownSection]:
        """The sections with something to show for this subject, in page order."""
        result = []
        for entry in self.registered():
            context = await entry.context(subject)
            if context is not None:
                result.append(ShownSection(entry.name, entry.template, context))
        return result

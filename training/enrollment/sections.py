"""Sections of the teacher's self-service page (`/me/{token}`) that packages above enrollment contribute
(training/web/sections.py describes page sections).

The function of a section receives the page's `EnrollmentView`. The page includes the shown sections after the
timetable and before the "My details" button; their templates see the page's `v` besides `section`.

    register(SelfServiceSection("hours", 20, "ledger/_my_hours.html", hours_section))
"""

from __future__ import annotations

from training.enrollment.self_service import EnrollmentView
from training.web.sections import PageSections, Section, ShownSection

SelfServiceSection = Section[EnrollmentView]

PAGE: PageSections[EnrollmentView] = PageSections()


def register(section: SelfServiceSection) -> None:
    PAGE.register(section)


def registered() -> list[SelfServiceSection]:
    return PAGE.registered()


async def shown(view: EnrollmentView) -> list[ShownSection]:
    return await PAGE.shown(view)

"""Sections of a staff account's page (`/admin/accounts/{id}`) that packages above accounts contribute
(training/web/sections.py describes page sections).

The function of a section receives the account (`service.get_user`'s row: id, username, display_name, role,
county, active…). The page includes the shown sections after the account's facts; their templates see the page's
`user` besides `section`. `checkin` adds the sessions an on-site staff account scans for.
"""

from __future__ import annotations

from typing import Any

from training.web.sections import PageSections, Section

AccountSection = Section[dict[str, Any]]

PAGE: PageSections[dict[str, Any]] = PageSections()

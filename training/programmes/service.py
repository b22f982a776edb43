"""The scheduling use-cases in one namespace for pages, the API, other packages and tests.

Each lives in the module that says what it does:
- `sessions`: asking for a session (the `Session` read model, `get_session`, `list_sessions`, ...)
- `catalogue`: programmes; `session_setup`: create, edit, delete a session; `publishing`: publish, close,
  reopen; `copying`: next year's session or timetable; `quotas`: county quotas; `timetable`: blocks;
  `calendar_feed`: the .ics download; `problems`: the error messages; `sql`: the statements that leave Piccolo.
"""

from __future__ import annotations

from training.programmes.calendar_feed import session_calendar
from training.programmes.catalogue import (
    ProgrammeDraft,
    create_programme,
    delete_programme,
    get_programme,
    list_programmes,
    update_programme,
)
from training.programmes.copying import copy_session, copy_timetable
from training.programmes.problems import Invalid
from training.programmes.publishing import SessionImpact, session_impact, set_status
from training.programmes.quotas import get_quotas, set_quotas
from training.programmes.session_setup import create_session, delete_session, draft_of, update_session
from training.programmes.sessions import get_session, list_sessions
from training.programmes.timetable import add_blocks, delete_block, get_block, list_blocks, update_block

__all__ = [
    "Invalid",
    "ProgrammeDraft",
    "SessionImpact",
    "add_blocks",
    "copy_session",
    "copy_timetable",
    "create_programme",
    "create_session",
    "delete_block",
    "delete_programme",
    "delete_session",
    "draft_of",
    "get_block",
    "get_programme",
    "get_quotas",
    "get_session",
    "list_blocks",
    "list_programmes",
    "list_sessions",
    "session_calendar",
    "session_impact",
    "set_quotas",
    "set_status",
    "update_block",
    "update_programme",
    "update_session",
]

"""A session as an iCalendar file (the organiser's and the teachers' download)."""

from __future__ import annotations

from training.errors import NotFound
from training.programmes.ics import session_ics
from training.programmes.sessions import get_session
from training.programmes.states import SessionStatus
from training.programmes.timetable import list_blocks


async def session_calendar(session_id: int, *, uid_domain: str, url: str = "", public: bool = False) -> str:
    session = await get_session(session_id)
    if public and session.status == SessionStatus.DRAFT:
        raise NotFound()
    return session_ics(
        session.as_dict(),
        [b.as_dict() for b in await list_blocks(session_id)],
        uid_domain=uid_domain,
        url=url,
    )

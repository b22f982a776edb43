"""Asking for a session: one read model, one getter, one list query. Every package reads sessions here.

- `Session`: a frozen, slotted dataclass with every stored column of `training_session` (same names, so
  templates read `s.title` or `s["title"]` alike) plus `programme_name`. What a page or a rule computes from a
  session is a property or method of it, never a key added to a row: `seats_left`, `takes_online_registration`,
  `editable`, `registration_window(now)`. `as_dict()` gives the plain mapping the audit log and the change
  notices compare.
- `get_session(session_id)`: the session or `NotFound`.
- `list_sessions(...)`: a `SessionPage` filtered by programme, status, year, or not ended yet.
- `open_for_registration(now)`: published sessions taking online registrations whose window has not closed.
- `upcoming(from_day)`: sessions not ended yet with their timetable (calendar page and feed).

Writes (create, edit, publish, quotas, timetable) live in the use-case modules beside this one; they lock the
row first and then read it through `get_session`, so they see what every reader sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from training.errors import NotFound
from training.programmes.models import TimetableBlock
from training.programmes.states import (
    ONLINE_MODES,
    RegistrationMode,
    RegistrationWindow,
    SessionStatus,
)
from training.programmes.tables import Block, TrainingSession


@dataclass(frozen=True, slots=True)
class Session:
    """One training session as stored, with its programme's name."""

    id: int
    programme: int  # the programme's id
    programme_name: str
    number: int | None  # 第N期
    year: int
    title: str
    starts_on: date
    ends_on: date
    venue: str
    host_city: str
    host_institution: str
    capacity: int
    seats_taken: int  # enrollments that hold a seat (pending, nominated, confirmed)
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    mode: RegistrationMode
    status: SessionStatus
    completion_hours: float | None
    completion_percent: float | None
    release_unused_quota_on: date | None
    nomination_deadline: datetime | None
    contact_name: str
    contact_phone: str
    description: str
    certificates_issued: int
    coordinators_get_contacts: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Session:
        values = {name: row[name] for name in _FIELDS}
        values["mode"] = RegistrationMode(values["mode"])
        values["status"] = SessionStatus(values["status"])
        values["coordinators_get_contacts"] = bool(values["coordinators_get_contacts"])
        return cls(**values)

    @property
    def seats_left(self) -> int:
        """Seats nobody holds yet (never below 0: a lowered capacity can leave more held than offered)."""
        return max(0, self.capacity - self.seats_taken)

    @property
    def takes_online_registration(self) -> bool:
        return self.status == SessionStatus.PUBLISHED and self.mode in ONLINE_MODES

    @property
    def editable(self) -> bool:
        """A closed session can no longer be changed (reopening it is the way back)."""
        return self.status != SessionStatus.CLOSED

    @property
    def has_threshold(self) -> bool:
        return self.completion_hours is not None or self.completion_percent is not None

    def registration_window(self, now: datetime | None = None) -> RegistrationWindow:
        now = now or datetime.now(UTC)
        if self.registration_closes_at is not None and now >= self.registration_closes_at:
            return RegistrationWindow.CLOSED
        if self.registration_opens_at is not None and now < self.registration_opens_at:
            return RegistrationWindow.NOT_YET_OPEN
        return RegistrationWindow.OPEN

    def as_dict(self) -> dict[str, Any]:
        """The stored values as a plain mapping (audit diffs, change notices, form values)."""
        return asdict(self)


_FIELDS = tuple(f.name for f in fields(Session))


@dataclass(frozen=True, slots=True)
class SessionPage:
    """One page of sessions, as the API returns it: {"items", "total", "limit", "offset"}."""

    items: list[Session]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class ScheduledSession:
    """A session with its timetable (calendar)."""

    session: Session
    blocks: list[TimetableBlock]


def _select() -> Any:
    return TrainingSession.select(
        *TrainingSession.all_columns(), TrainingSession.programme.name.as_alias("programme_name")
    )


async def get_session(session_id: int) -> Session:
    row = await _select().where(TrainingSession.id == session_id).first()
    if row is None:
        raise NotFound()
    return Session.from_row(row)


async def list_sessions(
    *,
    programme_id: int | None = None,
    status: SessionStatus | str | None = None,
    year: int | None = None,
    upcoming_from: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SessionPage:
    """Newest first; with `upcoming_from`, the sessions not ended by that day, soonest first."""
    conditions: list[Any] = []
    if programme_id is not None:
        conditions.append(TrainingSession.programme == programme_id)
    if status:
        conditions.append(TrainingSession.status == status)
    if year is not None:
        conditions.append(TrainingSession.year == year)
    if upcoming_from is not None:
        conditions.append(TrainingSession.ends_on >= upcoming_from)
    query = (
        _select()
        .order_by(TrainingSession.starts_on, ascending=upcoming_from is not None)
        .order_by(TrainingSession.id)
        .limit(limit)
        .offset(offset)
    )
    count = TrainingSession.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query
    return SessionPage(
        items=[Session.from_row(r) for r in rows], total=int(await count), limit=limit, offset=offset
    )


async def open_for_registration(now: datetime | None = None) -> list[Session]:
    """Published sessions that take online registrations and whose window has not closed, soonest first."""
    now = now or datetime.now(UTC)
    rows = (
        await _select()
        .where(TrainingSession.status == SessionStatus.PUBLISHED)
        .where(TrainingSession.mode.is_in(list(ONLINE_MODES)))
        .order_by(TrainingSession.starts_on)
        .order_by(TrainingSession.id)
    )
    found = (Session.from_row(r) for r in rows)
    return [s for s in found if s.registration_window(now) != RegistrationWindow.CLOSED]


async def upcoming(from_day: date, *, include_drafts: bool = True, limit: int = 50) -> list[ScheduledSession]:
    """Sessions that have not ended yet, with their blocks (for the calendar page and feed)."""
    statuses: Sequence[SessionStatus] = (
        (SessionStatus.PUBLISHED, SessionStatus.DRAFT) if include_drafts else (SessionStatus.PUBLISHED,)
    )
    rows = (
        await _select()
        .where((TrainingSession.ends_on >= from_day) & (TrainingSession.status.is_in(list(statuses))))
        .order_by(TrainingSession.starts_on)
        .limit(limit)
    )
    if not rows:
        return []
    sessions = [Session.from_row(r) for r in rows]
    blocks = (
        await Block.select()
        .where(Block.session.is_in([s.id for s in sessions]))
        .order_by(Block.day)
        .order_by(Block.starts_at)
    )
    by_session: dict[int, list[TimetableBlock]] = {}
    for block in map(TimetableBlock.from_row, blocks):
        by_session.setdefault(block.session, []).append(block)
    return [ScheduledSession(s, by_session.get(s.id, [])) for s in sessions]

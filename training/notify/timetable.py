"""A session's timetable as teachers read it: its days and blocks (time, topic, room). On a teacher's self-service
page (`timetable_of`) it also says which blocks she attended; on the public session page (`session_timetable`) it
is the plain timetable, with no attendance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from training import db
from training.core.clock import LOCAL_TZ, local_now

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Slot:
    id: int
    starts_at: time
    ends_at: time
    topic: str
    room: str
    cancelled: bool
    attended: bool
    past: bool


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.day.month}月{self.day.day}日 周{WEEKDAYS[self.day.weekday()]}"


@dataclass(frozen=True)
class Timetable:
    days: list[Day]
    attended: int
    held: int  # blocks already over (not cancelled)

    @property
    def total(self) -> int:
        return sum(1 for d in self.days for s in d.slots if not s.cancelled)


async def timetable_of(enrollment_id: int, session_id: int, now: datetime | None = None) -> Timetable:
    rows = await db.fetch(
        'SELECT b."id", b."day", b."starts_at", b."ends_at", b."topic", b."room", b."cancelled", '
        'EXISTS (SELECT 1 FROM "attendance" c WHERE c."block" = b."id" AND c."enrollment" = {}) AS attended '
        'FROM "block" b WHERE b."session" = {} ORDER BY b."day", b."starts_at"',
        enrollment_id,
        session_id,
    )
    return _build(rows, now)


async def session_timetable(session_id: int, now: datetime | None = None) -> Timetable:
    """The timetable anyone may read on the session's public page: no enrollment, so nothing attended."""
    rows = await db.fetch(
        'SELECT b."id", b."day", b."starts_at", b."ends_at", b."topic", b."room", b."cancelled", '
        'FALSE AS attended FROM "block" b WHERE b."session" = {} ORDER BY b."day", b."starts_at"',
        session_id,
    )
    return _build(rows, now)


def _build(rows: list[dict[str, Any]], now: datetime | None) -> Timetable:
    current = (now or local_now()).astimezone(LOCAL_TZ)
    days: dict[date, Day] = {}
    attended = held = 0
    for row in rows:
        ends = datetime.combine(row["day"], row["ends_at"], tzinfo=LOCAL_TZ)
        slot = Slot(
            id=int(row["id"]),
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            topic=row["topic"],
            room=row["room"],
            cancelled=bool(row["cancelled"]),
            attended=bool(row["attended"]),
            past=ends <= current,
        )
        days.setdefault(row["day"], Day(row["day"])).slots.append(slot)
        attended += slot.attended
        held += slot.past and not slot.cancelled
    return Timetable(list(days.values()), attended, held)


def as_context(table: Timetable) -> dict[str, Any]:
    return {"timetable": table}

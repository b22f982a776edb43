"""When each reminder of a session is due, and until when it is still worth sending. Pure: no I/O.

Slots (local time, Asia/Shanghai), all on by default:
- `3d`       09:00 three days before the first day, to confirmed teachers;
- `waiting`  at the same moment, a "still waiting" notice to the waiting list;
- `evening`  19:00 the evening before the first day, to confirmed teachers;
- `morning`  06:30 on the first day, with the first block's time, room and the venue, to confirmed teachers.

A slot stays due until the next one's moment (the morning one until the first block starts), so a service that was
down at 09:00 still sends at 10:00, but never a "three days to go" on the evening before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from training.core.clock import LOCAL_TZ
from training.notify.states import ReminderSlot

SLOTS = tuple(ReminderSlot)
DEFAULT_SLOTS = SLOTS
AUDIENCE: dict[str, str] = {
    ReminderSlot.THREE_DAYS: "confirmed",
    ReminderSlot.WAITING: "waitlisted",
    ReminderSlot.EVENING: "confirmed",
    ReminderSlot.MORNING: "confirmed",
}


@dataclass(frozen=True)
class Window:
    slot: str
    opens: datetime
    closes: datetime

    def due(self, now: datetime) -> bool:
        return self.opens <= now < self.closes


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def windows(starts_on: date, first_block_start: time | None = None) -> dict[str, Window]:
    three_days = _local(starts_on - timedelta(days=3), time(9, 0))
    evening = _local(starts_on - timedelta(days=1), time(19, 0))
    morning = _local(starts_on, time(6, 30))
    first = _local(starts_on, first_block_start or time(12, 0))
    if first <= morning:
        first = morning + timedelta(hours=1)
    return {
        ReminderSlot.THREE_DAYS: Window(ReminderSlot.THREE_DAYS, three_days, evening),
        ReminderSlot.WAITING: Window(ReminderSlot.WAITING, three_days, morning),
        ReminderSlot.EVENING: Window(ReminderSlot.EVENING, evening, morning),
        ReminderSlot.MORNING: Window(ReminderSlot.MORNING, morning, first),
    }


def parse_slots(text: str | None) -> tuple[str, ...]:
    """A stored plan ("3d,morning"); None (no row) means the defaults; "" means none."""
    if text is None:
        return DEFAULT_SLOTS
    return tuple(slot for slot in SLOTS if slot in {part.strip() for part in text.split(",")})


def due_slots(
    now: datetime, starts_on: date, plan: tuple[str, ...], first_block_start: time | None = None
) -> list[str]:
    return [
        slot
        for slot, window in windows(starts_on, first_block_start).items()
        if slot in plan and window.due(now)
    ]

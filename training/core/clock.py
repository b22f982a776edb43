"""The clock and the programmes' local time, defined once: every county served keeps China Standard Time (UTC+8,
no daylight saving), so session days, block hours, deadlines and certificate dates are read in Asia/Shanghai.
Stored instants are UTC (`utc_now`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_now() -> datetime:
    return utc_now().astimezone(LOCAL_TZ)


def local_today() -> date:
    return local_now().date()

"""Who is here: a block's counts, and the organisers' live dashboard (by county, who is missing)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from training.audit import writer as audit
from training.checkin import sql
from training.checkin import status as st
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.enrollment.states import EnrollmentStatus
from training.i18n import N_, register_messages
from training.people.service import reveal_phone

register_messages({"block_not_found": N_("This block does not exist.")})


class BlockInfo(msgspec.Struct, frozen=True):
    id: int
    session_id: int
    session_title: str
    day: str
    starts_at: str
    ends_at: str
    topic: str
    cancelled: bool
    window_opens: str = ""  # the check-in window, "07:30" to "12:00" (status.window_bounds)
    window_closes: str = ""

    @classmethod
    def of(cls, row: dict[str, Any]) -> BlockInfo:
        """From `sql.block_row`."""
        first, last = st.window_bounds(
            sql.as_time(row["starts_at"]),
            sql.as_time(row["ends_at"]),
            int(row["checkin_before_minutes"]),
            int(row["checkin_after_minutes"]),
        )
        return cls(
            id=row["id"],
            session_id=row["session"],
            session_title=row["title"],
            day=sql.as_date(row["day"]).isoformat(),
            starts_at=sql.as_time(row["starts_at"]).strftime("%H:%M"),
            ends_at=sql.as_time(row["ends_at"]).strftime("%H:%M"),
            topic=row["topic"],
            cancelled=bool(row["cancelled"]),
            window_opens=st.clock(first),
            window_closes=st.clock(last),
        )


class BlockCounts(msgspec.Struct, frozen=True):
    block_id: int
    checked_in: int
    expected: int  # confirmed enrollments of the block's session


class CountyAttendance(msgspec.Struct, frozen=True):
    county: str
    checked_in: int
    expected: int


class MissingTeacher(msgspec.Struct, frozen=True):
    enrollment_id: int
    name: str
    county: str
    school: str
    phone: str  # organisers only; empty otherwise


class Dashboard(msgspec.Struct, frozen=True):
    block: BlockInfo
    checked_in: int
    expected: int
    by_county: list[CountyAttendance]
    missing: list[MissingTeacher]
    generated_at: str
    generated_local: str


async def block_counts(block_id: int) -> BlockCounts:
    """Checked in / expected (confirmed enrollments of the block's session)."""
    checked_in, expected = await sql.block_counts(block_id)
    return BlockCounts(block_id=block_id, checked_in=checked_in, expected=expected)


async def block_dashboard(block_id: int, *, with_phones: bool) -> Dashboard:
    """Checked in / expected, by county, and who is missing (with their phone for organisers)."""
    block = await sql.block_row(block_id)
    counties: dict[int, list[Any]] = {}  # county id → [name, checked in, expected]
    missing: list[MissingTeacher] = []
    checked = expected = 0
    for row in await sql.people(block["session"], block_id):
        present = row["ci_at"] is not None
        confirmed = row["status"] == EnrollmentStatus.CONFIRMED
        if not confirmed and not present:
            continue
        county = counties.setdefault(row["county_id"], [row["county"], 0, 0])
        if confirmed:
            county[2] += 1
            expected += 1
        if present:
            county[1] += 1
            checked += 1
        else:
            missing.append(
                MissingTeacher(
                    enrollment_id=row["e_id"],
                    name=row["name"],
                    county=row["county"],
                    school=row["school"] or "",
                    phone=reveal_phone(row) if with_phones else "",
                )
            )
    now = datetime.now(UTC)
    return Dashboard(
        block=BlockInfo.of(block),
        checked_in=checked,
        expected=expected,
        by_county=sorted(
            (CountyAttendance(name, present, due) for name, present, due in counties.values()),
            key=lambda c: (-c.expected, c.county),
        ),
        missing=missing,
        generated_at=now.isoformat(),
        generated_local=now.astimezone(LOCAL_TZ).strftime("%H:%M:%S"),
    )


async def record_phone_view(staff: Actor, block_id: int, shown: int) -> None:
    """Organisers see missing teachers' phones on the dashboard: each page view leaves an audit entry (the
    page's 10-second refreshes of the same view do not)."""
    await audit.record(staff, "view_phones", "block", block_id, {"phones_shown": shown})

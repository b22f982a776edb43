"""Scheduling rules for sessions, quotas and timetable blocks. Pure: no I/O; the only project import is the
local time zone (training.core.clock, itself pure).

Every check returns a list of Problem(field, code, params); an empty list means "fine". The service turns
problems into a ValidationFailed naming the field, so the page can show the message next to it and the API can
answer with a machine-readable reason. Codes are registered with their human text in `service.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from training.core.clock import LOCAL_TZ
from training.programmes.states import HalfDay, ProgrammeKind, RegistrationMode, SessionStatus

MODES = tuple(RegistrationMode)
STATUSES = tuple(SessionStatus)
HALF_DAYS = tuple(HalfDay)
PROGRAMME_KINDS = tuple(ProgrammeKind)
# Usual hours of each part of the day, used when a whole day is added at once.
HALF_DAY_TIMES: dict[str, tuple[time, time]] = {
    HalfDay.MORNING: (time(8, 30), time(11, 30)),
    HalfDay.AFTERNOON: (time(14, 0), time(17, 0)),
    HalfDay.EVENING: (time(19, 0), time(21, 0)),
}
MAX_SESSION_DAYS = 60
# Dates a training can plausibly have: beyond them a typo (9999-12-31) would overflow date arithmetic on pages.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Allowed status changes. A closed session can be reopened (the undo of a close made by mistake).
TRANSITIONS: dict[str, tuple[SessionStatus, ...]] = {
    SessionStatus.DRAFT: (SessionStatus.PUBLISHED,),
    SessionStatus.PUBLISHED: (SessionStatus.DRAFT, SessionStatus.CLOSED),
    SessionStatus.CLOSED: (SessionStatus.PUBLISHED,),  # reopening undoes a close made by mistake
}


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)


@dataclass
class SessionDraft:
    """Everything an organiser sets on a session (already parsed into Python types)."""

    programme_id: int
    title: str
    starts_on: date
    ends_on: date
    capacity: int
    year: int | None = None
    number: int | None = None
    mode: str = RegistrationMode.OPEN
    venue: str = ""
    host_city: str = ""
    host_institution: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    nomination_deadline: datetime | None = None
    completion_hours: float | None = None
    completion_percent: float | None = None
    contact_name: str = ""
    contact_phone: str = ""
    description: str = ""

    def effective_year(self) -> int:
        return self.year or self.starts_on.year


@dataclass
class BlockDraft:
    day: date
    half_day: str
    starts_at: time
    ends_at: time
    topic: str = ""
    instructor: str = ""
    room: str = ""
    hours: float | None = None  # None: the length of the block, in hours
    cancelled: bool = False  # kept in the timetable (and its check-ins), but no longer held or counted

    def effective_hours(self) -> float:
        return self.hours if self.hours is not None else duration_hours(self.starts_at, self.ends_at)


def duration_hours(start: time, end: time) -> float:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round(max(minutes, 0) / 60 * 2) / 2  # to the half hour, like 学时 are counted


def session_starts_at(starts_on: date) -> datetime:
    """The first moment of the session's first day, China time, as an aware UTC datetime."""
    return datetime.combine(starts_on, time(0, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


def _aware(value: datetime) -> datetime:
    """A time without a zone is China time (what organisers type and mean)."""
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def as_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value).astimezone(UTC)


def _fmt(value: datetime) -> str:
    return _aware(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


# --- sessions ---------------------------------------------------------------------------------------------------


def check_session(
    draft: SessionDraft,
    *,
    seats_held: int = 0,
    block_days: Iterable[date] = (),
    quota_total: int = 0,
) -> list[Problem]:
    """All rules for a session's own fields. seats_held: enrollments holding a seat now; block_days: the days of
    its current blocks (dates may not move away from them); quota_total: sum of its county quotas."""
    problems: list[Problem] = []
    if not draft.title.strip():
        problems.append(Problem("title", "required"))
    if draft.mode not in MODES:
        problems.append(Problem("mode", "invalid_choice"))
    out_of_range = [
        name
        for name, day in (("starts_on", draft.starts_on), ("ends_on", draft.ends_on))
        if not FIRST_YEAR <= day.year <= LAST_YEAR
    ]
    if out_of_range:
        bounds = {"first": FIRST_YEAR, "last": LAST_YEAR}
        return problems + [Problem(name, "date_out_of_range", bounds) for name in out_of_range]
    if draft.ends_on < draft.starts_on:
        problems.append(Problem("ends_on", "ends_before_start"))
    elif (draft.ends_on - draft.starts_on).days >= MAX_SESSION_DAYS:
        problems.append(Problem("ends_on", "session_too_long", {"days": MAX_SESSION_DAYS}))
    problems += check_capacity(draft.capacity, seats_held, quota_total)
    problems += check_registration(draft)
    problems += check_completion(draft.completion_hours, draft.completion_percent)
    if draft.ends_on >= draft.starts_on:
        outside = [d for d in block_days if not draft.starts_on <= d <= draft.ends_on]
        if outside:
            problems.append(
                Problem("starts_on", "blocks_outside_new_dates", {"count": len(outside), "day": min(outside)})
            )
    return problems


def check_capacity(capacity: int, seats_held: int = 0, quota_total: int = 0) -> list[Problem]:
    if capacity < 0:
        return [Problem("capacity", "invalid_number")]
    if capacity < seats_held:
        return [Problem("capacity", "capacity_below_taken", {"taken": seats_held})]
    if capacity < quota_total:
        return [Problem("capacity", "capacity_below_quotas", {"total": quota_total})]
    return []


def check_registration(draft: SessionDraft) -> list[Problem]:
    problems: list[Problem] = []
    start = session_starts_at(draft.starts_on)
    opens, closes = draft.registration_opens_at, draft.registration_closes_at
    if closes is not None and _aware(closes) > start:
        problems.append(
            Problem("registration_closes_at", "registration_closes_after_start", {"start": _fmt(start)})
        )
    if opens is not None and closes is not None and _aware(closes) <= _aware(opens):
        problems.append(Problem("registration_closes_at", "registration_closes_before_opens"))
    if opens is not None and _aware(opens) >= start:
        problems.append(Problem("registration_opens_at", "registration_opens_after_start"))
    deadline = draft.nomination_deadline
    if deadline is not None and _aware(deadline) > start:
        problems.append(Problem("nomination_deadline", "nomination_deadline_after_start"))
    return problems


def check_completion(hours: float | None, percent: float | None) -> list[Problem]:
    if hours is not None and percent is not None:
        return [Problem("completion_value", "completion_one_kind")]
    if hours is not None and not 0 < hours <= 1000:
        return [Problem("completion_value", "completion_hours_range")]
    if percent is not None and not 0 < percent <= 100:
        return [Problem("completion_value", "completion_percent_range")]
    return []


def check_editable(status: str) -> Problem | None:
    return Problem("status", "session_closed") if status == SessionStatus.CLOSED else None


def check_transition(
    current: str, target: str, *, capacity: int, eligible_counties: int, blocks: int, has_threshold: bool
) -> list[Problem]:
    if target not in STATUSES:
        return [Problem("status", "invalid_choice")]
    if target not in TRANSITIONS.get(current, ()):
        return [Problem("status", "invalid_transition", {"current": current, "target": target})]
    problems: list[Problem] = []
    if target == SessionStatus.PUBLISHED:
        if capacity <= 0:
            problems.append(Problem("capacity", "publish_needs_capacity"))
        if eligible_counties == 0:
            problems.append(Problem("quotas", "publish_needs_counties"))
        if blocks == 0:
            problems.append(Problem("timetable", "publish_needs_timetable"))
        if not has_threshold:
            problems.append(Problem("completion_value", "publish_needs_threshold"))
    return problems


# --- quotas -----------------------------------------------------------------------------------------------------


def check_quotas(
    capacity: int,
    quotas: Mapping[int, int | None],
    held_by_county: Mapping[int, int],
    *,
    seated_by_county: Mapping[int, int] | None = None,
    release_on: date | None = None,
    starts_on: date | None = None,
) -> list[Problem]:
    """quotas: county id → seats (None: eligible, no reserved seats). held_by_county: enrollments holding a seat
    of that county's quota (a quota cannot be cut below them); seated_by_county: enrollments of that county
    holding any seat (the county cannot be dropped from the eligible list while they exist)."""
    problems: list[Problem] = []
    for county_id, held in sorted((seated_by_county or held_by_county).items()):
        if held > 0 and county_id not in quotas:
            problems.append(Problem(f"quota_{county_id}", "quota_county_has_enrollments", {"taken": held}))
    for county_id, held in sorted(held_by_county.items()):
        quota = quotas.get(county_id)
        if county_id in quotas and quota is not None and quota < held:
            problems.append(Problem(f"quota_{county_id}", "quota_below_taken", {"taken": held}))
    for county_id, quota in quotas.items():
        if quota is not None and quota < 0:
            problems.append(Problem(f"quota_{county_id}", "invalid_number"))
    total = sum(q for q in quotas.values() if q is not None and q > 0)
    if total > capacity:
        problems.append(Problem("quotas", "quotas_exceed_capacity", {"total": total, "capacity": capacity}))
    if release_on is not None and starts_on is not None and release_on > starts_on:
        problems.append(Problem("release_unused_quota_on", "release_after_start"))
    return problems


# --- timetable --------------------------------------------------------------------------------------------------


def _overlaps(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


class BlockLike(Protocol):
    """What the rules read of a block: a stored one (models.TimetableBlock) or a new one (BlockDraft)."""

    @property
    def day(self) -> date: ...
    @property
    def half_day(self) -> str: ...
    @property
    def starts_at(self) -> time: ...
    @property
    def ends_at(self) -> time: ...
    @property
    def topic(self) -> str: ...
    @property
    def instructor(self) -> str: ...
    @property
    def room(self) -> str: ...
    @property
    def hours(self) -> float | None: ...
    @property
    def cancelled(self) -> bool: ...


def check_block(
    block: BlockDraft,
    *,
    starts_on: date,
    ends_on: date,
    others: Sequence[BlockLike] = (),
) -> list[Problem]:
    """One block against the session dates and the other (not cancelled) blocks of the session."""
    problems: list[Problem] = []
    if block.half_day not in HALF_DAYS:
        problems.append(Problem("half_day", "invalid_choice"))
    if not starts_on <= block.day <= ends_on:
        problems.append(
            Problem(
                "day", "block_outside_session", {"start": starts_on.isoformat(), "end": ends_on.isoformat()}
            )
        )
    if block.ends_at <= block.starts_at:
        problems.append(Problem("ends_at", "block_ends_before_start"))
    if block.hours is not None and not 0 < block.hours <= 12:
        problems.append(Problem("hours", "block_hours_range"))
    if block.ends_at > block.starts_at and not block.cancelled:
        for other in others:
            if other.cancelled or other.day != block.day:
                continue
            if _overlaps(block.starts_at, block.ends_at, other.starts_at, other.ends_at):
                label = f"{other.starts_at:%H:%M}–{other.ends_at:%H:%M} {other.topic or ''}"
                problems.append(Problem("starts_at", "block_overlaps", {"other": label.strip()}))
                break
    return problems


def check_blocks(blocks: Sequence[BlockDraft], *, starts_on: date, ends_on: date) -> list[Problem]:
    """Several new blocks at once (a whole day): each against the session and the ones before it."""
    problems: list[Problem] = []
    for i, block in enumerate(blocks):
        for problem in check_block(block, starts_on=starts_on, ends_on=ends_on, others=blocks[:i]):
            problems.append(replace(problem, field=f"{block.half_day}_{problem.field}"))
    return problems


def day_of_blocks(
    day: date, parts: Mapping[str, Mapping[str, Any]], *, hours: float | None = None
) -> list[BlockDraft]:
    """A whole day: one block per chosen part of the day (morning/afternoon/evening) with its usual times unless
    given. parts: half_day → {"topic", "instructor", "room", optionally "starts_at", "ends_at", "hours"}."""
    blocks = []
    for half in HALF_DAYS:
        if half not in parts:
            continue
        info = parts[half]
        start, end = HALF_DAY_TIMES[half]
        blocks.append(
            BlockDraft(
                day=day,
                half_day=half,
                starts_at=info.get("starts_at") or start,
                ends_at=info.get("ends_at") or end,
                topic=str(info.get("topic") or ""),
                instructor=str(info.get("instructor") or ""),
                room=str(info.get("room") or ""),
                hours=info.get("hours", hours),
            )
        )
    return blocks


def shift_blocks(
    blocks: Iterable[BlockLike], *, from_start: date, to_start: date, to_end: date
) -> tuple[list[BlockDraft], int]:
    """Last year's timetable moved to the new dates, day by day (day n of the old session → day n of the new).
    Returns (blocks that fall within the new dates, number left out because the new session is shorter)."""
    shifted: list[BlockDraft] = []
    dropped = 0
    for b in sorted(blocks, key=lambda b: (b.day, b.starts_at)):
        if b.cancelled:
            continue
        day = to_start + (b.day - from_start)
        if not to_start <= day <= to_end:
            dropped += 1
            continue
        shifted.append(
            BlockDraft(
                day=day,
                half_day=b.half_day,
                starts_at=b.starts_at,
                ends_at=b.ends_at,
                topic=b.topic,
                instructor=b.instructor,
                room=b.room,
                hours=b.hours,
            )
        )
    return shifted, dropped


def next_year_title(title: str, number: int | None, year: int, new_year: int) -> tuple[str, int | None]:
    """第9期… → 第10期…; "2019 彩虹行动 南通班" → "2020 彩虹行动 南通班"."""
    new_number = number + 1 if number is not None else None
    new_title = title
    if number is not None and f"第{number}期" in title:
        new_title = new_title.replace(f"第{number}期", f"第{new_number}期", 1)
    if str(year) in new_title:
        new_title = new_title.replace(str(year), str(new_year))
    return new_title, new_number


def shift_datetime(value: datetime | None, days: int) -> datetime | None:
    return None if value is None else value + timedelta(days=days)


def total_hours(blocks: Iterable[BlockLike]) -> float:
    return float(sum(float(b.hours or 0) for b in blocks if not b.cancelled))

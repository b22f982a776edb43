"""What a scan means: the decision table of check-in statuses. Pure (no I/O; only the domain's names).

The service gathers the facts in one query; this module decides. The same rules run in the scanner's JavaScript
for offline scans (training/static/js/checkin-scanner.js, `localVerdict`), so keep the two in step.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from training.checkin.states import CodeKind, Verdict
from training.enrollment.states import EnrollmentStatus

# Every answer a scan can get (training/checkin/states.py), in the order the API documents them.
STATUSES = tuple(v.value for v in Verdict)
_BY_ENROLLMENT_STATUS: dict[str, Verdict] = {
    EnrollmentStatus.CANCELLED: Verdict.CANCELLED,
    EnrollmentStatus.WAITLISTED: Verdict.WAITLISTED,
    EnrollmentStatus.PENDING: Verdict.UNAPPROVED,
    EnrollmentStatus.NOMINATED: Verdict.UNAPPROVED,
    EnrollmentStatus.REJECTED: Verdict.REJECTED,
}
# A device clock running ahead is trusted this far; beyond it the server's time is used.
MAX_CLOCK_SKEW = timedelta(minutes=10)


# A block's check-in window when the organiser has not set one: from 30 minutes before it starts to its end.
DEFAULT_OPENS_BEFORE_MINUTES = 30
DEFAULT_CLOSES_AFTER_MINUTES = 0


@dataclass(frozen=True)
class BlockFacts:
    session_id: int
    day: date
    cancelled: bool
    session_starts: date | None = None
    session_ends: date | None = None


def seconds_of_day(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def window_bounds(starts_at: time, ends_at: time, before_minutes: int, after_minutes: int) -> tuple[int, int]:
    """The block's check-in window on its day, in seconds since local midnight (both ends included)."""
    return seconds_of_day(starts_at) - 60 * before_minutes, seconds_of_day(ends_at) + 60 * after_minutes


def clock(seconds: int) -> str:
    """Seconds of the day as "07:30", kept within the day (a window reaching past midnight is shown clipped)."""
    seconds = min(max(seconds, 0), 24 * 3600 - 60)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def window_text(bounds: tuple[int, int]) -> str:
    """The window as staff read it: "07:30–12:00"."""
    return f"{clock(bounds[0])}–{clock(bounds[1])}"


def in_block_window(local_seconds: int, bounds: tuple[int, int]) -> bool:
    """A scan made (local time of day, seconds) within the block's check-in window. The SQL of the PostgreSQL
    batch statement (training/checkin/sql.py) spells the same comparison."""
    return bounds[0] <= local_seconds <= bounds[1]


@dataclass(frozen=True)
class EnrollmentFacts:
    session_id: int
    status: str
    code_valid: bool = (
        True  # False: the code scanned is not the enrollment's current one (tokens.generation_of)
    )


def verdict(
    block: BlockFacts | None,
    enrollment: EnrollmentFacts | None,
    scanned_local_day: date,
    already: bool,
    *,
    in_window: bool = True,
    in_block_window: bool = True,
    confirmed: bool = False,
) -> Verdict:
    """The status of a scan before any write; OK means "insert the check-in now".

    in_window: the scan was made within the late-upload window before now (`scan_in_window`).
    in_block_window: the scan's time of day is within the block's check-in window; outside it the scan is
    OUTSIDE_WINDOW (nothing written) unless staff `confirmed` it."""
    if not in_window:
        return Verdict.TOO_LATE
    if block is None or block.cancelled or scanned_local_day != block.day:
        return Verdict.WRONG_BLOCK
    if (block.session_starts and scanned_local_day < block.session_starts) or (
        block.session_ends and scanned_local_day > block.session_ends
    ):
        return Verdict.WRONG_BLOCK  # a block dated outside its session: no scan counts for it
    if enrollment is None:
        return Verdict.NOT_ENROLLED
    if enrollment.session_id != block.session_id:
        return Verdict.WRONG_SESSION
    if not enrollment.code_valid:
        return Verdict.CODE_REVOKED
    if enrollment.status != EnrollmentStatus.CONFIRMED:
        return _BY_ENROLLMENT_STATUS.get(enrollment.status, Verdict.INVALID)
    if already:
        return Verdict.ALREADY_CHECKED_IN
    if not in_block_window and not confirmed:
        return Verdict.OUTSIDE_WINDOW
    return Verdict.OK


def effective_scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """The device's scan time (offline scans keep theirs), unless missing or implausibly in the future."""
    if scanned_at is None or scanned_at.tzinfo is None or scanned_at > now + MAX_CLOCK_SKEW:
        return now
    return scanned_at


def scan_in_window(scanned_at: datetime, now: datetime, window: timedelta) -> bool:
    """An offline scan counts only if it reaches the server within `window` of being made (hours, configured):
    a scanner cannot write attendance into a past block by back-dating its clock."""
    return scanned_at >= now - window


def is_late(scanned_at: datetime, now: datetime) -> bool:
    """A scan made noticeably before it reached the server (an offline upload): audited when accepted."""
    return scanned_at < now - MAX_CLOCK_SKEW


def code_kind(code: str) -> CodeKind:
    """A QR token, a manual code (8 characters typed) or unknown, after normalisation."""
    if len(code) == 22 and code.startswith("TC"):
        return CodeKind.TOKEN
    if len(code) == 8:
        return CodeKind.MANUAL
    return CodeKind.UNKNOWN


def normalize_code(raw: str) -> str:
    """What scanners and people send: spaces, dashes, lower case, a trailing newline from a handheld scanner, and
    full-width characters from a phone keyboard in full-width mode (NFKC; scanners send ASCII and skip it)."""
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", raw)
    return "".join(raw.split()).replace("-", "").upper()


def roster_digest(salt: str, code: str) -> str:
    """The keyed digest an offline roster carries instead of the codes: base64url(SHA-256(salt | code))[:22].

    The salt is per roster download; the JavaScript computes the same with crypto.subtle on what it scans."""
    raw = hashlib.sha256((salt + "|" + code).encode()).digest()[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")

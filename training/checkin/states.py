"""The check-in domain's named values: what a scan can answer, and what kind of code was scanned. Pure.

StrEnum members compare and serialise as their strings, so JSON answers, the scanner's JavaScript
(training/static/js/checkin-scanner.js) and the tests that read plain strings keep working unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """Every answer a scan can get. `ok` is the only one that writes a row (none is stored: no CHECK)."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    INVALID = "invalid"  # forged / altered token, or a manual code nobody has
    NOT_ENROLLED = "not_enrolled"  # an authentic token whose enrollment no longer exists
    WRONG_SESSION = "wrong_session"  # enrolled, but in another session than this block's
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    UNAPPROVED = "unapproved"  # pending (awaiting approval) or nominated (not yet selected)
    REJECTED = "rejected"
    WRONG_BLOCK = "wrong_block"  # the block is cancelled, unknown, or the scan was made on another day
    CODE_REVOKED = "code_revoked"  # a QR code replaced by a newer one, or every code withdrawn (erasure)
    TOO_LATE = (
        "too_late"  # an offline scan uploaded after the late-upload window, or dated outside the session
    )
    OUTSIDE_WINDOW = "outside_window"  # outside the block's check-in window: recorded only once staff confirm
    VOIDED = "voided"  # a retry of a scan that staff have since undone: stays undone


class MarkKind(StrEnum):
    """An organiser's attendance mark for a block (attendance_mark.kind; the database refuses another value)."""

    LATE = "late"  # counts as attended
    EXCUSED = "excused"  # counts only when the session's excused_counts rule says so


class CodeKind(StrEnum):
    """What a scanned code is, after normalisation (`status.code_kind`)."""

    TOKEN = "token"  # noqa: S105 (a kind of code, not a secret): a QR token, TC + 20 characters
    MANUAL = "manual"  # the 8-character code typed by hand
    UNKNOWN = "unknown"

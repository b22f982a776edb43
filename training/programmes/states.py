"""The named states and kinds of the scheduling domain.

`StrEnum`, so a member is its stored string: rows written before the enums existed read back unchanged, and
`SessionStatus.PUBLISHED == "published"`. The database refuses any other value (CHECK constraints on PostgreSQL,
triggers on SQLite: piccolo_migrations/2026-12-01T04-20-00.py).
"""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """A session's life: a draft is prepared, published (teachers see it and may register), then closed."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class RegistrationMode(StrEnum):
    """How teachers get a seat: register online (open), register and wait for approval, or be nominated."""

    OPEN = "open"
    APPROVAL = "approval"
    NOMINATION = "nomination"


class ProgrammeKind(StrEnum):
    """The yearly summer sessions (暑期教师培训班), the Jiangsu exchange cohorts (彩虹行动), anything else."""

    SUMMER = "summer"
    EXCHANGE = "exchange"
    OTHER = "other"


class HalfDay(StrEnum):
    """The part of a day a timetable block covers (attendance is recorded per block)."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class CertificateLayout(StrEnum):
    """The page orientation of a programme's certificates."""

    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"


class RegistrationWindow(StrEnum):
    """Where a moment falls in a session's registration window (computed, not stored)."""

    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


# Modes in which teachers register themselves online (nomination goes through county coordinators).
ONLINE_MODES = (RegistrationMode.OPEN, RegistrationMode.APPROVAL)

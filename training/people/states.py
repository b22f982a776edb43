"""The named states and kinds of the people package's rows. StrEnum members compare equal to the strings stored in
the database, so rows read back as plain strings and enum members mix freely; the database refuses any other value
(CHECK constraints, migration 2026-12-01T04:10:00)."""

from __future__ import annotations

from enum import StrEnum


class Origin(StrEnum):
    """Where a submission about a teacher came from: the enrollment's source and its change request's origin."""

    ONLINE = "online"
    NOMINATION = "nomination"
    IMPORT = "import"
    DEMO = "demo"


class ChangeRequestStatus(StrEnum):
    PENDING = "pending"  # waiting for proof or an organiser
    APPLIED = "applied"
    REJECTED = "rejected"


class DecidedVia(StrEnum):
    """How a change request was decided (or, while still pending, how part of it was proven)."""

    UNDECIDED = ""
    CODE_ON_FILE = "code_on_file"  # a code sent to the contact on file
    SELF_LINK = "self_link"  # her own self-service link
    ORGANISER = "organiser"
    IMPORT = "import"  # an organiser's import with its changes applied


class CodePurpose(StrEnum):
    """What a one-time contact code proves."""

    PHONE = "phone"  # a new mobile number (sent to it)
    EMAIL = "email"  # a new e-mail address (sent to it)
    REQUEST = "request"  # a pending change request (sent to the contact on file)


class CodeChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class SchoolLevel(StrEnum):
    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"
    NINE_YEAR = "nine_year"
    VOCATIONAL = "vocational"
    OTHER = "other"

"""The states of an enrollment. StrEnum members compare equal to the strings stored in the database; the database
refuses any other value (CHECK constraints, migration 2026-12-01T04:10:00). An enrollment's source is
training.people.states.Origin (the same value becomes its change request's origin)."""

from __future__ import annotations

from enum import StrEnum


class EnrollmentStatus(StrEnum):
    PENDING = "pending"  # awaiting approval (approval mode); holds a seat
    NOMINATED = "nominated"  # put forward by a county (nomination mode); holds a seat of its quota
    CONFIRMED = "confirmed"  # has a seat (for exchange cohorts: selected)
    WAITLISTED = "waitlisted"  # queued by waitlist_seq, no seat
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class NomineeAnswer(StrEnum):
    """A nominee's own answer to her nomination (self-service link): none yet, she goes, or she declines (which
    cancels the enrollment and frees her county's seat)."""

    NONE = ""
    ACCEPTED = "accepted"
    DECLINED = "declined"


# Statuses that hold a seat, and those still in the running (holding or queued).
HOLDING: tuple[EnrollmentStatus, ...] = (
    EnrollmentStatus.PENDING,
    EnrollmentStatus.NOMINATED,
    EnrollmentStatus.CONFIRMED,
)
ACTIVE: tuple[EnrollmentStatus, ...] = (*HOLDING, EnrollmentStatus.WAITLISTED)

"""The enrollment package's use cases, one module each; this module gathers their entry points for web handlers,
the API, other packages and tests.

- openings.py: sessions taking registrations, seats left per county
- registering.py: register online, nominate, import (session_cache.py: what validation reads, cached briefly)
- cancelling.py: cancel, the seat going to the next waiting teacher (promoting.py)
- deciding.py: approve or reject pending registrations and nominations
- self_service.py: a teacher's own view by link or look-up

Every seat change runs in one db.transaction(): lock the session row, claim or release with conditional
UPDATEs (seating.py, rules in seats.py), write the enrollment, queue the email (mails.py) — all or nothing.
"""

from __future__ import annotations

from training.enrollment.cancelling import CANCEL_REASON_MAX, cancel, valid_certificate_serial
from training.enrollment.deciding import DECIDABLE, DecisionPreview, DecisionResult, decide, decision_preview
from training.enrollment.openings import (
    eligible_counties,
    local_today,
    open_sessions,
    schools_of,
    seats_by_county,
)
from training.enrollment.promoting import fill_free_seats, sessions_with_free_seats_and_a_queue
from training.enrollment.registering import (
    Outcome,
    check_registration,
    enroll,
    existing_enrollment,
    profile_of,
    register,
    window_problem_now,
)
from training.enrollment.self_service import EnrollmentView, enrollment_for_link, lookup, view
from training.enrollment.states import ACTIVE, HOLDING

__all__ = [
    "ACTIVE",
    "CANCEL_REASON_MAX",
    "DECIDABLE",
    "HOLDING",
    "DecisionPreview",
    "DecisionResult",
    "EnrollmentView",
    "Outcome",
    "cancel",
    "check_registration",
    "decide",
    "decision_preview",
    "eligible_counties",
    "enroll",
    "enrollment_for_link",
    "existing_enrollment",
    "fill_free_seats",
    "local_today",
    "lookup",
    "open_sessions",
    "profile_of",
    "register",
    "schools_of",
    "seats_by_county",
    "sessions_with_free_seats_and_a_queue",
    "valid_certificate_serial",
    "view",
    "window_problem_now",
]

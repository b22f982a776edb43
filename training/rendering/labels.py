"""Display labels for the enumerations stored in the database (English msgids, translated when shown)."""

from __future__ import annotations

from training.i18n import N_, gettext

LABELS: dict[str, dict[str, str]] = {
    "session_status": {"draft": N_("Draft"), "published": N_("Published"), "closed": N_("Closed")},
    "session_mode": {
        "open": N_("Open registration"),
        "approval": N_("Approval required"),
        "nomination": N_("Nomination by counties"),
    },
    "enrollment_status": {
        "pending": N_("Pending approval"),
        "nominated": N_("Nominated"),
        "confirmed": N_("Confirmed"),
        "waitlisted": N_("Waiting list"),
        "cancelled": N_("Cancelled"),
        "rejected": N_("Not selected"),
    },
    "half_day": {"morning": N_("Morning"), "afternoon": N_("Afternoon"), "evening": N_("Evening")},
    "role": {
        "organiser": N_("Organiser"),
        "coordinator": N_("County coordinator"),
        "staff": N_("On-site staff"),
        "host": N_("Host coordinator"),
    },
    "gender": {"male": N_("Male"), "female": N_("Female")},
    "grade_band": {
        "kindergarten": N_("Kindergarten"),
        "primary": N_("Primary school"),
        "junior": N_("Junior secondary"),
        "senior": N_("Senior secondary"),
        "vocational": N_("Vocational school"),
    },
    "school_level": {
        "kindergarten": N_("Kindergarten"),
        "primary": N_("Primary school"),
        "junior": N_("Junior secondary"),
        "senior": N_("Senior secondary"),
        "nine_year": N_("Nine-year school"),
        "vocational": N_("Vocational school"),
        "other": N_("Other"),
    },
    "teacher_field": {
        "name": N_("Name"),
        "gender": N_("Gender"),
        "birth_date": N_("Birth date"),
        "phone": N_("Mobile number"),
        "email": N_("Email"),
        "county": N_("County"),
        "school_name": N_("School"),
        "subject": N_("Subject"),
        "grade_band": N_("Grade band"),
        "title": N_("Professional title"),
        "ethnicity": N_("Ethnicity"),
        "years_teaching": N_("Years teaching"),
    },
    "import_teacher": {
        "new": N_("New teacher"),
        "unchanged": N_("On file, unchanged"),
        "changes": N_("On file, with changes"),
        "conflict": N_("Conflict with the record"),
    },
    "change_origin": {
        "online": N_("Online registration"),
        "nomination": N_("Nomination"),
        "import": N_("Import"),
    },
    "programme_kind": {
        "summer": N_("Summer training"),
        "exchange": N_("Exchange cohort"),
        "other": N_("Other"),
    },
}


def label(kind: str, value: str | None) -> str:
    if value is None:
        return ""
    text = LABELS.get(kind, {}).get(value)
    return gettext(text) if text else value


def choices(kind: str) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a <select>."""
    return [(value, gettext(text)) for value, text in LABELS.get(kind, {}).items()]

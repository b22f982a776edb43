"""What a registration must say, checked field by field. Pure: used by the form, the JSON API and the import.
The choices and limits of a teacher's record are training/people/fields.py.

Error codes are stable and machine-readable; their human texts are registered in training/enrollment/messages.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from training.core.phones import is_valid_mobile, normalize_mobile
from training.people.fields import (
    EMAIL_MAX,
    EMAIL_PATTERN,
    ETHNICITIES,
    GENDERS,
    GRADE_BANDS,
    NAME_MAX,
    SCHOOL_MAX,
    SUBJECTS,
    TITLES,
    YEARS_TEACHING_MAX,
)
from training.people.identity import (
    IdCardError,
    nfkc,
    normalize_name,
    parse_id_card,
)

CHANNELS = ("sms", "email")
# For the "too long (at most {max} characters)" message next to a field.
MAX_LENGTHS = {"name": NAME_MAX, "school": SCHOOL_MAX, "email": EMAIL_MAX}
# Control characters have no business in a name or school.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

ID_ERRORS = {"format": "id_format", "checksum": "id_checksum", "birth_date": "id_birth_date"}


@dataclass(frozen=True)
class Registration:
    """A validated registration (not yet tied to a session's eligibility: see check_county / check_window)."""

    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: date
    phone: str
    email: str
    county_id: int
    school_name: str
    subject: str
    grade_band: str
    title: str
    years_teaching: int
    channel: str = ""  # preferred channel for non-essential messages: sms / email ("" = the default)
    essential_only: bool = False  # opted out of reminders and broadcasts


def _text(values: dict[str, str], name: str, max_length: int, errors: dict[str, str]) -> str:
    # Names and schools: NFKC, and no stray space next to a Han character ("王 芳" is 王芳).
    value = normalize_name(str(values.get(name) or ""))
    if not value:
        errors[name] = "required"
    elif len(value) > max_length:
        errors[name] = "too_long"
    elif _CONTROL.search(value):
        errors[name] = "invalid_text"
    return value


def _choice(values: dict[str, str], name: str, options: tuple[str, ...], errors: dict[str, str]) -> str:
    value = nfkc(str(values.get(name) or "")).strip()
    if value not in options:
        errors[name] = "required" if not value else "invalid_choice"
    return value


def _id_number(values: dict[str, str], gender: str, today: date, errors: dict[str, str]) -> tuple[str, date]:
    """(the ID number, the birth date it carries), or ("", today) with an error; a gender that contradicts the
    number is an error of the gender field."""
    raw_id = nfkc(str(values.get("id_number") or "")).strip()
    if not raw_id:
        errors["id_number"] = "required"
        return "", today
    try:
        card = parse_id_card(raw_id, today=today)
    except IdCardError as exc:
        errors["id_number"] = ID_ERRORS.get(exc.reason, "id_format")
        return "", today
    if gender in GENDERS and card.gender != gender and "gender" not in errors:
        errors["gender"] = "gender_mismatch"
    return card.number, card.birth_date


def _phone(values: dict[str, str], errors: dict[str, str]) -> str:
    raw_phone = nfkc(str(values.get("phone") or "")).strip()
    if not raw_phone:
        errors["phone"] = "required"
    elif not is_valid_mobile(raw_phone):
        errors["phone"] = "mobile_invalid"
    return normalize_mobile(raw_phone)


def _email_and_channel(
    values: dict[str, str], email_required: bool, errors: dict[str, str]
) -> tuple[str, str]:
    """The email address (required unless SMS reaches the teacher and she did not choose email) and the channel
    she prefers ("" for no preference)."""
    email = nfkc(str(values.get("email") or "")).strip()
    channel = nfkc(str(values.get("channel") or "")).strip()
    if channel and channel not in CHANNELS:
        errors["channel"] = "invalid_choice"
    if not email:
        if email_required or channel == "email":
            errors["email"] = "required"
    elif len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email):
        errors["email"] = "email_invalid"
    return email, channel


def _county_id(values: dict[str, str], eligible_county_ids: set[int] | None, errors: dict[str, str]) -> int:
    raw_county = nfkc(str(values.get("county") or "")).strip()
    if not raw_county:
        errors["county"] = "required"
        return 0
    try:
        county_id = int(raw_county)
    except ValueError:
        errors["county"] = "invalid_choice"
        return 0
    if eligible_county_ids is not None and county_id not in eligible_county_ids:
        errors["county"] = "county_not_eligible"
    return county_id


def _years_teaching(
    values: dict[str, str], id_number: str, born: date, today: date, errors: dict[str, str]
) -> int:
    """Years of teaching: a whole number in range, and no more than her age allows (from 15) when the ID
    number gave her birth date."""
    raw_years = nfkc(str(values.get("years_teaching") or "")).strip()
    if not raw_years:
        errors["years_teaching"] = "required"
        return 0
    try:
        years = int(raw_years)
    except ValueError:
        errors["years_teaching"] = "invalid_number"
        return 0
    if not 0 <= years <= YEARS_TEACHING_MAX:
        errors["years_teaching"] = "years_out_of_range"
    elif id_number and years > max(0, today.year - born.year - 15):
        errors["years_teaching"] = "years_exceed_age"
    return years


def _yes(value: object) -> bool:
    return str(value or "") in ("1", "on", "true", "yes", "True")


def validate(
    values: dict[str, str],
    *,
    today: date,
    eligible_county_ids: set[int] | None,
    require_consent: bool = True,
    email_required: bool = True,
) -> tuple[Registration | None, dict[str, str]]:
    """(registration, {}) when every rule holds, else (None, {field: error code}).
    email_required=False when SMS can be sent: the mobile number (always required) then reaches the teacher."""
    errors: dict[str, str] = {}
    name = _text(values, "name", NAME_MAX, errors)
    gender = _choice(values, "gender", GENDERS, errors)
    ethnicity = _choice(values, "ethnicity", ETHNICITIES, errors)
    id_number, born = _id_number(values, gender, today, errors)
    phone = _phone(values, errors)
    email, channel = _email_and_channel(values, email_required, errors)
    essential_only = _yes(values.get("essential_only"))
    county_id = _county_id(values, eligible_county_ids, errors)
    school_name = _text(values, "school", SCHOOL_MAX, errors)
    subject = _choice(values, "subject", SUBJECTS, errors)
    grade_band = _choice(values, "grade_band", GRADE_BANDS, errors)
    title = _choice(values, "title", TITLES, errors)

    years = _years_teaching(values, id_number, born, today, errors)

    if require_consent and not _yes(values.get("consent")):
        errors["consent"] = "consent_required"

    if errors:
        return None, errors
    return (
        Registration(
            name=name,
            gender=gender,
            ethnicity=ethnicity,
            id_number=id_number,
            birth_date=born,
            phone=phone,
            email=email,
            county_id=county_id,
            school_name=school_name,
            subject=subject,
            grade_band=grade_band,
            title=title,
            years_teaching=years,
            channel=channel,
            essential_only=essential_only,
        ),
        {},
    )


def window_problem(
    *, status: str, mode: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> str | None:
    """Why a session cannot take online registrations right now, or None."""
    if status != "published" or mode not in ("open", "approval"):
        return "registration_unavailable"
    if opens_at is not None and now < opens_at:
        return "registration_not_open"
    if closes_at is not None and now >= closes_at:
        return "registration_closed"
    return None

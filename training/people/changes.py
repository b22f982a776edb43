"""What a submission says that differs from a teacher's record, and how each value is shown. Pure.

The record is the truth; a registration, nomination or import only *proposes* changes (docs/people.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from training.core.masking import mask_name, mask_phone
from training.mail.redact import mask_email

# Fields of the record a submission may propose to change, in display order.
FIELDS = (
    "name",
    "gender",
    "birth_date",
    "phone",
    "email",
    "county",
    "school_name",
    "subject",
    "grade_band",
    "title",
    "ethnicity",
    "years_teaching",
)
# Who she is: only an organiser changes these (the ID number fixes gender and birth date anyway).
IDENTITY = frozenset({"name", "gender", "birth_date"})
# How she is reached: a new one is proven by a code sent to it, or to the contact on file.
CONTACT = frozenset({"phone", "email"})
# Shown masked wherever a change is listed (pages, audit log); the plain value is only ever encrypted.
PERSONAL = frozenset({"name", "birth_date", "phone", "email"})
# Applied at once without proof: it grows by itself every year and neither reaches nor identifies her.
DIRECT = frozenset({"years_teaching"})
# What the teacher herself may change from her self-service page.
SELF_EDITABLE = ("phone", "email", "school_name", "subject", "title")


def _comparable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def differences(record: Mapping[str, Any], proposed: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """field → (on file, proposed) for every field of FIELDS the proposal states and that differs.
    `record` holds plain values (the caller decrypts the phone); an empty proposed value changes nothing."""
    result: dict[str, tuple[Any, Any]] = {}
    for name in FIELDS:
        if name not in proposed:
            continue
        new = _comparable(proposed[name])
        if new == "":
            continue
        old = _comparable(record.get(name))
        if old != new:
            result[name] = (old, new)
    return result


def mask_birth_date(value: str) -> str:
    return value[:4] + "-**-**" if len(value) >= 4 else "****"


def shown(field: str, value: Any) -> Any:
    """The value as pages and the audit log show it: masked when personal."""
    if value in ("", None):
        return ""
    if field == "phone":
        return mask_phone(str(value))
    if field == "email":
        return mask_email(str(value))
    if field == "name":
        return mask_name(str(value))
    if field == "birth_date":
        return mask_birth_date(str(value))
    return value


def masked_changes(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """The audit-log form of a change: field → [old, new], masked where personal."""
    return {name: [shown(name, old), shown(name, new)] for name, (old, new) in changes.items()}

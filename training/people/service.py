"""Teachers as persons: matched by ID-card number across years, stored protected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from training import db, keys
from training.core.masking import mask_id_card, mask_phone
from training.core.phones import normalize_mobile
from training.people.identity import normalize_id_card
from training.people.tables import Teacher


@dataclass
class TeacherProfile:
    """What a registration or an import says about a person (already validated)."""

    id_number: str
    name: str
    phone: str
    county_id: int
    email: str = ""
    gender: str = ""
    ethnicity: str = ""
    birth_date: date | None = None
    school_id: int | None = None
    school_name: str = ""
    subject: str = ""
    grade_band: str = ""
    title: str = ""
    years_teaching: int | None = None


def protected_columns(profile: TeacherProfile) -> dict:
    """The stored form of the sensitive fields: keyed hashes, ciphertexts and masks, never plain text."""
    k = keys.current()
    number = normalize_id_card(profile.id_number)
    phone = normalize_mobile(profile.phone)
    return {
        "id_hash": k.hash_id_card(number),
        "id_encrypted": k.field_cipher.encrypt(number, "id"),
        "id_masked": mask_id_card(number),
        "phone_hash": k.hash_phone(phone),
        "phone_encrypted": k.field_cipher.encrypt(phone, "phone"),
        "phone_masked": mask_phone(phone),
    }


def profile_columns(profile: TeacherProfile) -> dict:
    return {
        "name": profile.name.strip(),
        "email": profile.email.strip(),
        "gender": profile.gender,
        "ethnicity": profile.ethnicity,
        "birth_date": profile.birth_date,
        "county": profile.county_id,
        "school": profile.school_id,
        "school_name": profile.school_name.strip(),
        "subject": profile.subject,
        "grade_band": profile.grade_band,
        "title": profile.title,
        "years_teaching": profile.years_teaching,
    }


async def find_teacher_id(id_number: str) -> int | None:
    row = (
        await Teacher.select(Teacher.id)
        .where(Teacher.id_hash == keys.current().hash_id_card(normalize_id_card(id_number)))
        .first()
    )
    return int(row["id"]) if row else None


_UNKNOWN = -1


async def upsert_teacher(profile: TeacherProfile, existing_id: int | None = _UNKNOWN) -> tuple[int, bool]:
    """Find the person by ID number or create her; returns (teacher id, created). Call inside a transaction.
    An existing record is never changed here: what the submission says differently is a proposal for
    `requests.propose` (docs/people.md). existing_id: the caller's look-up result (None: no such person)."""
    existing = await find_teacher_id(profile.id_number) if existing_id == _UNKNOWN else existing_id
    if existing is not None:
        return existing, False
    columns = {**protected_columns(profile), **profile_columns(profile)}
    teacher_id = await db.insert("teacher", columns)
    assert teacher_id is not None
    return teacher_id, True


def proposal(profile: TeacherProfile) -> dict[str, object]:
    """What a submission says about the person, in the record's field names (for requests.propose)."""
    return {
        "name": profile.name.strip(),
        "gender": profile.gender,
        "birth_date": profile.birth_date,
        "phone": normalize_mobile(profile.phone),
        "email": profile.email.strip(),
        "county": profile.county_id,
        "school_name": profile.school_name.strip(),
        "subject": profile.subject,
        "grade_band": profile.grade_band,
        "title": profile.title,
        "ethnicity": profile.ethnicity,
        "years_teaching": profile.years_teaching,
    }


def reveal_id_number(teacher_row: dict) -> str:
    """Decrypt for an organiser who must see it; the caller records that in the audit log."""
    return keys.current().field_cipher.decrypt(teacher_row["id_encrypted"], "id")


def reveal_phone(teacher_row: dict) -> str:
    return keys.current().field_cipher.decrypt(teacher_row["phone_encrypted"], "phone")


async def find_teacher(id_number: str) -> dict | None:
    """The person with this ID-card number (matched by keyed hash), or None."""
    return (
        await Teacher.select()
        .where(Teacher.id_hash == keys.current().hash_id_card(normalize_id_card(id_number)))
        .first()
    )


def phone_matches(teacher_row: dict, phone: str) -> bool:
    """Whether `phone` is the mobile number on file (compared by keyed hash, never decrypted)."""
    return bool(teacher_row["phone_hash"] == keys.current().hash_phone(normalize_mobile(phone)))


def phone_search_hash(query: str) -> str | None:
    """The keyed hash to search teachers by mobile number, if the query looks like one."""
    from training.core.phones import is_valid_mobile

    return keys.current().hash_phone(normalize_mobile(query)) if is_valid_mobile(query) else None

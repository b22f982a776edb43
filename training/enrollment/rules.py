"""What a registration must say, checked field by field. Pure: used by the form, the JSON API and the import.

Error codes are stable and machine-readable; their human texts are registered in training/enrollment/messages.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from training.core.phones import is_valid_mobile, normalize_mobile
from training.people.identity import (
    IdCardError,
    nfkc,
    normalize_name,
    parse_id_card,
)

GENDERS = ("male", "female")
GRADE_BANDS = ("kindergarten", "primary", "junior", "senior", "vocational")
# The 56 officially recognised ethnic groups (Han first: most teachers), plus foreign-born nationals.
ETHNICITIES = tuple(
    "汉族 彝族 藏族 羌族 苗族 布依族 土家族 回族 蒙古族 维吾尔族 壮族 朝鲜族 满族 侗族 瑶族 白族 哈尼族 哈萨克族 "
    "傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 其他".split()
)
SUBJECTS = tuple(
    "语文 数学 英语 物理 化学 生物 道德与法治 思想政治 历史 地理 科学 音乐 体育 美术 信息技术 心理健康 "
    "学前教育 特殊教育 综合实践 学校管理 其他".split()
)
TITLES = ("未定级", "三级教师", "二级教师", "一级教师", "高级教师", "正高级教师")
NAME_MAX = 32
SCHOOL_MAX = 64
EMAIL_MAX = 254
YEARS_TEACHING_MAX = 50
# For the "too long (at most {max} characters)" message next to a field.
CHANNELS = ("sms", "email")
MAX_LENGTHS = {"name": NAME_MAX, "school": SCHOOL_MAX, "email": EMAIL_MAX}
# Deliberately plain: one @, a dot in the domain, no spaces. The confirmation mail is the real test.
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
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
    elif len(email) > EMAIL_MAX or not _EMAIL.match(email):
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

"""Chinese resident ID numbers (GB 11643-1999), mainland mobile numbers and masking. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


class IdCardError(ValueError):
    """reason is a stable machine-readable code: format, checksum, birth_date."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IdCard:
    number: str
    division_code: str
    birth_date: date
    gender: str  # "male" / "female", from the sequence digit

    @property
    def masked(self) -> str:
        return mask_id_card(self.number)


def normalize_id_card(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_card(raw: str, today: date | None = None) -> IdCard:
    """Validate an 18-digit ID number: format, birth date (real, not in the future) and check digit."""
    number = normalize_id_card(raw)
    if not _ID_PATTERN.match(number):
        raise IdCardError("format")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdCardError("birth_date") from None
    today = today or date.today()
    if born > today or born.year < 1900:
        raise IdCardError("birth_date")
    if check_digit(number[:17]) != number[17]:
        raise IdCardError("checksum")
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return IdCard(number=number, division_code=number[:6], birth_date=born, gender=gender)


def normalize_mobile(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def is_valid_mobile(raw: str) -> bool:
    return bool(_MOBILE_PATTERN.match(normalize_mobile(raw)))


def mask_id_card(number: str) -> str:
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 张三梅 → 张*梅, 欧阳小明 → 欧**明."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]

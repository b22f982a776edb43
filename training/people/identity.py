"""Chinese resident ID numbers (GB 11643-1999), mainland mobile numbers, and names (masks: training.core.masking). Pure functions.

Everything typed goes through NFKC first: a phone keyboard in full-width mode (a common IME state) sends
"５１０８２３…Ｘ", and Python's `\\d` and `int()` accept those digits while string comparison does not, so one
full-width digit among ASCII ones used to hash to a second person. The patterns below are ASCII-only on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from training.core.masking import mask_id_card

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
# Han ideographs (CJK unified, extension A, compatibility, extensions B and later) and 〇.
_HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# The separator in transliterated minority names (阿依·木沙): spaces around it go like spaces between Han.
_NAME_DOTS = "·•‧・"


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


def nfkc(raw: str) -> str:
    """Full-width digits, letters and spaces to their ASCII forms (also compatibility ideographs to unified)."""
    return unicodedata.normalize("NFKC", raw)


def normalize_id_card(raw: str) -> str:
    """'５１０８２３ 1983 0405 000ｘ' → '51082319830405000X': NFKC, no whitespace, upper case."""
    return "".join(nfkc(raw).split()).upper()


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


def _is_han_side(ch: str) -> bool:
    return bool(_HAN.match(ch)) or ch in _NAME_DOTS


def normalize_name(raw: str) -> str:
    """NFKC, whitespace collapsed, and no space next to a Han character: '王 芳' → '王芳', '阿依 · 木沙' →
    '阿依·木沙'; names in Latin script keep their spaces ('Maria  Lopez' → 'Maria Lopez')."""
    words = nfkc(raw).split()
    if not words:
        return ""
    out = words[0]
    for word in words[1:]:
        if not (_is_han_side(out[-1]) or _is_han_side(word[0])):
            out += " "
        out += word
    return out


def name_search_key(raw: str) -> str:
    """What a name search compares: the normalised name without any space ('王 芳', '王　芳', '王芳' agree)."""
    return "".join(normalize_name(raw).split())

"""Mainland mobile numbers as people type them, normalised to the 11 digits that are stored, compared and
texted. Pure."""

from __future__ import annotations

import re
import unicodedata

_MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
# What people put between the digits of a phone number: spaces, dashes (any kind), dots, brackets.
_PHONE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.()]")


def normalize_mobile(raw: str) -> str:
    """'+86 138-1234-5678', '（0086）13812345678', '１３８１２３４５６７８' → '13812345678'."""
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def is_valid_mobile(raw: str) -> bool:
    return bool(_MOBILE_PATTERN.match(normalize_mobile(raw)))

"""Short manual codes for enrollments. Pure."""

from __future__ import annotations

import random
import secrets

from training.certificates.serials import CODE_ALPHABET
from training.people.identity import normalize_code

MANUAL_CODE_LENGTH = 8


def new_manual_code(rng: random.Random | None = None) -> str:
    """8 characters from an alphabet without look-alikes (31^8 ≈ 8.5e11 codes)."""
    chooser = rng.choice if rng is not None else secrets.choice
    return "".join(chooser(CODE_ALPHABET) for _ in range(MANUAL_CODE_LENGTH))


def normalize_manual_code(raw: str) -> str:
    """Accept what people type: lower case, spaces, dashes, full-width characters."""
    return normalize_code(raw).replace("-", "")


def display_manual_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code

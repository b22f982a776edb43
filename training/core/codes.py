"""Codes people read aloud, type from paper or scan: the alphabet without look-alikes, normalising what is typed,
and the enrollments' 8-character manual check-in codes (made at enrollment, printed on badges, typed at the
door). Pure."""

from __future__ import annotations

import random
import secrets
import unicodedata

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MANUAL_CODE_LENGTH = 8


def random_code(length: int, rng: random.Random | None = None) -> str:
    """`length` characters of CODE_ALPHABET, from the system's secure source unless a seeded rng is given."""
    chooser = rng.choice if rng is not None else secrets.choice
    return "".join(chooser(CODE_ALPHABET) for _ in range(length))


def normalize_code(raw: str) -> str:
    """A code someone types (check-in code, one-time code, serial): NFKC, no whitespace, upper case."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def new_manual_code(rng: random.Random | None = None) -> str:
    """8 characters from an alphabet without look-alikes (31^8 ≈ 8.5e11 codes)."""
    return random_code(MANUAL_CODE_LENGTH, rng)


def normalize_manual_code(raw: str) -> str:
    """Accept what people type: lower case, spaces, dashes, full-width characters."""
    return normalize_code(raw).replace("-", "")


def display_manual_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code

"""Certificate serial numbers and verification codes. Pure."""

from __future__ import annotations

from training.core.codes import random_code


def make_serial(year: int, session_id: int, seq: int) -> str:
    """'2019-0009-0042': year, session, running number within the session (no gaps)."""
    return f"{year}-{session_id:04d}-{seq:04d}"


def make_verification_code(length: int = 8) -> str:
    return random_code(length)

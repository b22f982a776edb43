"""Certificate serial numbers and verification codes. Pure."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def make_serial(year: int, session_id: int, seq: int) -> str:
    """'2019-0009-0042': year, session, running number within the session (no gaps)."""
    return f"{year}-{session_id:04d}-{seq:04d}"


def make_verification_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))

"""QR tokens: the enrollment id plus a truncated HMAC, in QR alphanumeric characters. Pure.

"TC" + base32(id: 4 bytes, big-endian | HMAC-SHA256(key, "enrollment:" + id)[:8]) → 22 characters, all in the
QR alphanumeric set, so the code fits a version-2 symbol at error-correction level M (version 1 at L).
A forged or altered token fails the MAC check before anything touches the database.
"""

from __future__ import annotations

import base64
import re

from training.crypto import sign, verify

_B32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PREFIX = "TC"
MAC_BYTES = 8
TOKEN_LENGTH = len(PREFIX) + 20
# Decoding: base32 digits → Python's base-32 integer digits, one int() call (base64.b32decode is pure Python and
# was the largest share of a token check).
_BODY = re.compile(r"[A-Z2-7]{20}")
_TO_INT_DIGITS = str.maketrans(_B32_ALPHABET, "0123456789abcdefghijklmnopqrstuv")


def _message(enrollment_id: int) -> bytes:
    return b"enrollment:" + str(enrollment_id).encode()


def make_token(key: bytes, enrollment_id: int) -> str:
    if not 0 < enrollment_id < 2**32:
        raise ValueError("enrollment id out of range")
    raw = enrollment_id.to_bytes(4, "big") + sign(key, _message(enrollment_id), MAC_BYTES)
    return PREFIX + base64.b32encode(raw).decode().rstrip("=")


def read_token(key: bytes, token: str) -> int | None:
    """The enrollment id if the token is authentic, else None (malformed, altered or forged)."""
    token = token.strip().upper()
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return None
    body = token[len(PREFIX) :]
    if not _BODY.fullmatch(body):
        return None
    value = int(body.translate(_TO_INT_DIGITS), 32)  # 20 characters: 100 bits, the last 4 unused
    # Only the canonical spelling (the unused bits zero) is accepted, so that exactly one string is valid per
    # enrollment (an altered character is always a rejected token).
    if value & 0b1111:
        return None
    raw = (value >> 4).to_bytes(4 + MAC_BYTES, "big")
    enrollment_id = int.from_bytes(raw[:4], "big")
    if enrollment_id == 0 or not verify(key, _message(enrollment_id), raw[4:]):
        return None
    return enrollment_id

"""QR tokens: the enrollment id plus a truncated HMAC, in QR alphanumeric characters. Pure.

"TC" + base32(id: 4 bytes, big-endian | HMAC-SHA256(key, "enrollment:" + id)[:8]) → 22 characters, all in the
QR alphanumeric set, so the code fits a version-2 symbol at error-correction level M (version 1 at L).
A forged or altered token fails the MAC check before anything touches the database.
"""

from __future__ import annotations

import base64
import binascii

from training.crypto import sign, verify

_B32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PREFIX = "TC"
MAC_BYTES = 8
TOKEN_LENGTH = len(PREFIX) + 20


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
    try:
        raw = base64.b32decode(token[len(PREFIX) :] + "====")
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 4 + MAC_BYTES:
        return None
    # The last base32 character carries 4 unused bits: accept only the canonical spelling (those bits zero), so
    # that exactly one string is valid per enrollment (an altered character is always a rejected token).
    if _B32_ALPHABET.index(token[-1]) & 0b1111:
        return None
    enrollment_id = int.from_bytes(raw[:4], "big")
    if enrollment_id == 0 or not verify(key, _message(enrollment_id), raw[4:]):
        return None
    return enrollment_id

"""QR check-in tokens (made when an enrollment is confirmed, read by the scanners): the enrollment id plus a
truncated HMAC, in QR alphanumeric characters. Pure.

"TC" + base32(id: 4 bytes, big-endian | HMAC-SHA256(key, "enrollment:" + id)[:8] | generation: 4 bits)
→ 22 characters, all in the QR alphanumeric set, so the code fits a version-2 symbol at error-correction level M
(version 1 at L). A forged or altered token fails the MAC check before anything touches the database.

Revocation: the enrollment's `token_nonce` names the generation of its one valid code ("" = 0, the first; "1" to
"15" after re-issues) or `WITHDRAWN` (no code works: erased or withdrawn by an organiser). The generation rides in
the 4 bits base32 leaves over and is covered by the MAC (generation 0 signs exactly what codes signed before
generations existed, so codes already sent keep working); the scan compares it with the enrollment's.
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


WITHDRAWN = "withdrawn"
MAX_GENERATION = 15


def generation_of(nonce: str) -> int | None:
    """The generation whose code is valid for this `token_nonce`, or None when every code is withdrawn."""
    if nonce == "":
        return 0
    if nonce.isdigit() and 0 < int(nonce) <= MAX_GENERATION:
        return int(nonce)
    return None


def nonce_of(generation: int) -> str:
    return "" if generation == 0 else str(generation)


def _message(enrollment_id: int, generation: int = 0) -> bytes:
    suffix = b":" + str(generation).encode() if generation else b""
    return b"enrollment:" + str(enrollment_id).encode() + suffix


def make_token(key: bytes, enrollment_id: int, generation: int = 0) -> str:
    if not 0 < enrollment_id < 2**32:
        raise ValueError("enrollment id out of range")
    if not 0 <= generation <= MAX_GENERATION:
        raise ValueError("token generation out of range")
    raw = enrollment_id.to_bytes(4, "big") + sign(key, _message(enrollment_id, generation), MAC_BYTES)
    value = (int.from_bytes(raw, "big") << 4) | generation
    return PREFIX + base64.b32encode((value << 4).to_bytes(13, "big")).decode()[:20]


def read_token(key: bytes, token: str) -> int | None:
    """The enrollment id if the token is authentic (of any generation), else None."""
    read = read_token_generation(key, token)
    return read[0] if read else None


def read_token_generation(key: bytes, token: str) -> tuple[int, int] | None:
    """(enrollment id, generation) if the token is authentic, else None (malformed, altered or forged)."""
    token = token.strip().upper()
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return None
    body = token[len(PREFIX) :]
    if not _BODY.fullmatch(body):
        return None
    value = int(body.translate(_TO_INT_DIGITS), 32)  # 20 characters: 100 bits, id | MAC | generation
    generation = value & 0b1111
    raw = (value >> 4).to_bytes(4 + MAC_BYTES, "big")
    enrollment_id = int.from_bytes(raw[:4], "big")
    if enrollment_id == 0 or not verify(key, _message(enrollment_id, generation), raw[4:]):
        return None
    return enrollment_id, generation

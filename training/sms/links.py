"""Short self-service links for SMS: `{base}/m/{code}` instead of the 32-character `/me/{token}` (an SMS has 70
characters, signature included). Pure.

code = base64url(enrollment id: 4 bytes | HMAC-SHA256(teacher-link key, "short:" | id)[:5]), 12 characters. It does
not expire (the page it opens shows only what the long link shows); 40 bits of MAC make guessing hopeless at any
rate a server answers. The redirect hands out a fresh long token.
"""

from __future__ import annotations

import binascii

from training.crypto import b64url, sign, unb64url, verify
from training.web.urls import absolute_url

MAC_BYTES = 5


def make_short_code(key: bytes, enrollment_id: int) -> str:
    body = enrollment_id.to_bytes(4, "big")
    return b64url(body + sign(key, b"short:" + body, MAC_BYTES))


def read_short_code(key: bytes, code: str) -> int | None:
    if len(code) != 12:
        return None
    try:
        raw = unb64url(code)
    except (binascii.Error, ValueError):
        return None
    body, mac = raw[:4], raw[4:]
    if len(mac) != MAC_BYTES or not verify(key, b"short:" + body, mac):
        return None
    return int.from_bytes(body, "big")


def short_url(base_url: str, key: bytes, enrollment_id: int) -> str:
    return absolute_url(base_url, "sms_short_link", code=make_short_code(key, enrollment_id))

"""Signed, expiring self-service links for teachers (no password): made by enrollment, mails, notices and SMS,
read by the teacher's pages (enrollment, certificates, ledger). Pure but for `self_service_url`, which signs
with the process's key.

token = base64url(enrollment id: 4 bytes | expiry: 4 bytes unix seconds | HMAC-SHA256[:16])
"""

from __future__ import annotations

import binascii
import time

from training import keys
from training.crypto import b64url, sign, unb64url, verify

LINK_LIFETIME_S = 400 * 24 * 3600  # a year and a bit: the link in a July email still works next summer


def make_link_token(
    key: bytes, enrollment_id: int, *, now: float | None = None, lifetime_s: int = LINK_LIFETIME_S
) -> str:
    expires = int((time.time() if now is None else now) + lifetime_s)
    body = enrollment_id.to_bytes(4, "big") + expires.to_bytes(4, "big")
    return b64url(body + sign(key, b"link:" + body, 16))


def read_link_token(key: bytes, token: str, *, now: float | None = None) -> int | None:
    """The enrollment id for an authentic, unexpired token; None otherwise."""
    try:
        raw = unb64url(token)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 24:
        return None
    body, mac = raw[:8], raw[8:]
    if not verify(key, b"link:" + body, mac):
        return None
    if int.from_bytes(body[4:], "big") < (time.time() if now is None else now):
        return None
    return int.from_bytes(body[:4], "big")


def self_service_url(base_url: str, enrollment_id: int) -> str:
    """The teacher's own page for this enrollment (/me/{token}), for mails and text messages."""
    return f"{base_url.rstrip('/')}/me/{make_link_token(keys.current().teacher_link, enrollment_id)}"

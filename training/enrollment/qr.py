"""The check-in QR code of an enrollment as a PNG."""

from __future__ import annotations

from training import keys
from training.checkin.tokens import make_token
from training.qr import qr_png

__all__ = ["enrollment_qr_png", "qr_png", "token_for"]


def token_for(enrollment_id: int) -> str:
    return make_token(keys.current().qr_token, enrollment_id)


def enrollment_qr_png(enrollment_id: int) -> bytes:
    return qr_png(token_for(enrollment_id))

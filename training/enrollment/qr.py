"""The check-in QR code of an enrollment as a PNG."""

from __future__ import annotations

from training import keys
from training.core.tokens import generation_of, make_token
from training.qr import qr_png

__all__ = ["enrollment_qr_png", "qr_png", "token_for"]


def token_for(enrollment_id: int, nonce: str = "") -> str:
    """The enrollment's current check-in code (`nonce`: its token_nonce; see core/tokens.py)."""
    return make_token(keys.current().qr_token, enrollment_id, generation_of(nonce) or 0)


def enrollment_qr_png(enrollment_id: int, nonce: str = "") -> bytes:
    return qr_png(token_for(enrollment_id, nonce))

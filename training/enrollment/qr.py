"""The check-in QR code of an enrollment as a PNG."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from training import keys
from training.checkin.tokens import make_token


def token_for(enrollment_id: int) -> str:
    return make_token(keys.current().qr_token, enrollment_id)


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG with the standard 4-module quiet zone (phone cameras and handheld scanners need it).
    Level M survives a cracked phone screen or a crumpled print-out; the 22-character token fits version 2."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data, optimize=0)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def enrollment_qr_png(enrollment_id: int) -> bytes:
    return qr_png(token_for(enrollment_id))

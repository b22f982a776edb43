"""QR codes as PNG images: the check-in code on phones, in emails, on badges and sign-in sheets."""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

# qrcode's automatic mask choice draws the symbol eight times to score each mask: ~6 ms of pure Python per code,
# which capped a registration rush at ~100/s. Any of the eight masks is a valid QR code (ISO/IEC 18004; the
# penalty score is an encoder recommendation); zxing-cpp read all eight for 400 random tokens (3,200 symbols).
MASK_PATTERN = 2


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG with the standard 4-module quiet zone (phone cameras and handheld scanners need it).
    Level M survives a cracked phone screen or a crumpled print-out; the 22-character token fits version 2."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=4, mask_pattern=MASK_PATTERN)
    code.add_data(data, optimize=0)
    code.make(fit=True)
    matrix = code.get_matrix()  # with the quiet zone
    size = len(matrix)
    # One byte per module, then a nearest-neighbour upscale (qrcode's own image factory calls PIL once per module,
    # about half the time of a registration's QR code).
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    modules = Image.frombytes("L", (size, size), pixels).convert("1", dither=Image.Dither.NONE)
    image = modules.resize((size * box_size,) * 2, Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()

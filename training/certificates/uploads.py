"""Organiser uploads (a background or a seal): validated and normalised before anything draws with them."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from training.certificates.design import LANDSCAPE
from training.certificates.states import ArtworkKind

# Upload limits for organiser artwork.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_UPLOAD_PIXELS = 40_000_000  # a 300 dpi A3 is 17.4 Mpx; anything far above is a mistake or a bomb
ALLOWED_UPLOAD_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


class ArtworkError(ValueError):
    """An uploaded image was refused; .code is a message code for the organiser."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_upload(payload: bytes, kind: str) -> bytes:
    """Validate an uploaded background or seal and return it as a PNG we are happy to open later.

    Refuses: too many bytes, not PNG/JPEG/WebP, and images whose pixel count would explode in memory
    (decompression bombs) — checked from the header before any pixel is decoded.
    """
    if len(payload) > MAX_UPLOAD_BYTES:
        raise ArtworkError("artwork_too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(payload))
            if img.format not in ALLOWED_UPLOAD_FORMATS:
                raise ArtworkError("artwork_bad_type")
            w, h = img.size
            if w * h > MAX_UPLOAD_PIXELS:
                raise ArtworkError("artwork_too_many_pixels")
            if min(w, h) < 64:
                raise ArtworkError("artwork_too_small")
            img.load()
    except ArtworkError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ArtworkError("artwork_too_many_pixels") from None
    except Exception:  # truncated or not an image at all: Pillow raises a variety of errors
        raise ArtworkError("artwork_bad_type") from None
    if kind == ArtworkKind.SEAL:
        out = img.convert("RGBA")
        out.thumbnail((1200, 1200), Image.Resampling.LANCZOS)
    else:
        out = img.convert("RGB")
        out.thumbnail((LANDSCAPE[0], LANDSCAPE[0]), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    out.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()

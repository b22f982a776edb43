"""The bundled CJK font: the Simplified Chinese face of Noto Sans CJK, and which characters it cannot draw."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_FACE_INDEX = 2  # NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
FONT_FAMILY = "Noto Sans CJK SC"


class FontError(RuntimeError):
    """The bundled CJK font is missing or is not the Simplified Chinese face."""


def font_path() -> Path:
    try:
        import noto_cjk_sans_otc
    except ImportError as exc:  # a deployment without the font package cannot draw Chinese
        raise FontError("the noto-cjk-sans-otc package is not installed") from exc
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size, index=FONT_FACE_INDEX)


def check_font() -> str:
    """The face's family name; raises FontError unless it is the Simplified Chinese face.

    Face 0 of the collection is Japanese and draws e.g. 骨 and 直 in Japanese shapes: a wrong index is a real bug.
    """
    family, _style = font(48).getname()
    if family != FONT_FAMILY:
        raise FontError(f"expected face {FONT_FAMILY!r} at index {FONT_FACE_INDEX}, found {family!r}")
    return family


@lru_cache(maxsize=1)
def _notdef_signature() -> bytes:
    # U+10FFFD (private use, plane 16) is in no font: what the font draws for it is its "missing" box.
    return _glyph_signature("\U0010fffd")


@lru_cache(maxsize=4096)
def _glyph_signature(char: str) -> bytes:
    mask = font(40).getmask(char)
    return bytes(mask.size[0].to_bytes(2, "big") + mask.size[1].to_bytes(2, "big")) + bytes(mask)


def missing_glyphs(text: str) -> list[str]:
    """Characters of `text` the font cannot draw (it would print a box instead)."""
    missing = []
    for char in dict.fromkeys(text):
        if char.isspace():
            continue
        if _glyph_signature(char) == _notdef_signature():
            missing.append(char)
    return missing


@lru_cache(maxsize=8192)
def advance(char: str) -> float:
    """A character's advance in thousandths of an em (the PDF text layer's widths)."""
    return font(1000).getlength(char)

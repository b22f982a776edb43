"""Printable name badges with each teacher's QR and manual code (for teachers without a phone), and QR PNGs.

A4 at 300 dpi, 2 × 4 badges of 105 × 74 mm (the usual badge-holder size), drawn with Pillow in Noto Sans CJK SC;
the PDF is one image per page (Pillow writes no text layer), which prints the same on any printer.
"""

from __future__ import annotations

import io
from functools import cache

from noto_cjk_sans_otc import FONT_PATH
from PIL import Image, ImageDraw, ImageFont

from training.checkin.rosters import BadgePerson
from training.core.codes import display_manual_code
from training.qr import qr_png

DPI = 300
PAGE = (2480, 3508)  # A4 at 300 dpi
COLUMNS, ROWS = 2, 4
CELL = (PAGE[0] // COLUMNS, PAGE[1] // ROWS)  # 1240 × 877 px = 105 × 74 mm
SC_FACE_INDEX = 2  # in NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
SC_FACE_NAME = "Noto Sans CJK SC"


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    face = ImageFont.truetype(str(FONT_PATH), size, index=SC_FACE_INDEX)
    if face.getname()[0] != SC_FACE_NAME:  # index 0 (Japanese) would draw some characters in Japanese shapes
        raise RuntimeError(f"expected {SC_FACE_NAME} at index {SC_FACE_INDEX}, found {face.getname()[0]}")
    return face


def qr_image(data: str, box_size: int = 10) -> Image.Image:
    """The same QR symbol as in the confirmation email (version 2-M, 4-module quiet zone), as a greyscale image."""
    return Image.open(io.BytesIO(qr_png(data, box_size=box_size))).convert("L")


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The largest font up to `size` at which `text` fits `width`."""
    while size > 24 and draw.textlength(text, font=font(size)) > width:
        size -= 6
    return font(size)


def _badge(page: Image.Image, x: int, y: int, title: str, person: BadgePerson) -> None:
    draw = ImageDraw.Draw(page)
    w, h = CELL
    draw.rectangle([x, y, x + w - 1, y + h - 1], outline=170, width=2)  # cut line
    pad = 60
    symbol = qr_image(person.token, box_size=12)  # 33 modules → 396 px ≈ 34 mm
    qx, qy = x + w - pad - symbol.width + 40, y + (h - symbol.height) // 2 - 30
    page.paste(symbol, (qx, qy))
    code = display_manual_code(person.manual_code)
    code_font = font(52)
    draw.text((qx + symbol.width // 2, qy + symbol.height + 10), code, fill=0, font=code_font, anchor="mt")
    text_width = qx - x - pad - 20
    draw.text((x + pad, y + pad), title, fill=90, font=_fit(draw, title, 40, text_width))
    draw.text((x + pad, y + 250), person.name, fill=0, font=_fit(draw, person.name, 130, text_width))
    draw.text((x + pad, y + 450), person.county, fill=30, font=_fit(draw, person.county, 56, text_width))
    school = person.school
    if school:
        draw.text((x + pad, y + 540), school, fill=30, font=_fit(draw, school, 44, text_width))


def badge_pages(title: str, people: list[BadgePerson]) -> list[Image.Image]:
    per_page = COLUMNS * ROWS
    pages = []
    for start in range(0, max(len(people), 1), per_page):
        page = Image.new("L", PAGE, 255)
        for i, person in enumerate(people[start : start + per_page]):
            col, row = i % COLUMNS, i // COLUMNS
            _badge(page, col * CELL[0], row * CELL[1], title, person)
        pages.append(page)
    return pages


def badge_sheets_pdf(title: str, people: list[BadgePerson]) -> bytes:
    """people: dicts with name, county, school, token, manual_code; an empty list gives one blank page."""
    pages = badge_pages(title, people)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI, quality=92)
    return out.getvalue()

"""Paper sign-in sheets (签到表) per block, kept for funders' audits. Pure: plain data in, PDF bytes out.

A4 portrait at 200 dpi, drawn with Pillow in Noto Sans CJK SC under an invisible text layer (searchable,
copyable). One row per teacher: number, name, county, school, a wide signature box and the teacher's check-in QR
(the same token as her email and badge), so staff can record the attendance of someone who signed on paper
by scanning her row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from training.checkin.badges import font, qr_image
from training.pdfwrite import Canvas, write_pdf

DPI = 200
PAGE = (1654, 2339)  # A4 at 200 dpi
MARGIN = 100
ROW_HEIGHT = 150
HEADER_HEIGHT = 300
FOOTER_HEIGHT = 90
QR_BOX = 4  # pixels per module: a version-2 symbol with its quiet zone is 33 × 4 = 132 px ≈ 17 mm
# (title, width in px); the signature column takes what is left
COLUMNS = (("序号", 90), ("姓名", 250), ("县", 190), ("学校", 430), ("签名", 0), ("签到码", 160))
INK, MUTED, RULE = 0, 90, 150


@dataclass(frozen=True)
class Person:
    name: str
    county: str
    school: str
    token: str


@dataclass(frozen=True)
class Sheet:
    session_title: str
    block_label: str  # 2019年7月15日 上午 08:30–11:30
    topic: str
    organisation: str
    people: tuple[Person, ...]


@lru_cache(maxsize=4096)
def advance(char: str) -> float:
    return font(1000).getlength(char)


def rows_per_page() -> int:
    return (PAGE[1] - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT) // ROW_HEIGHT


def _canvas() -> Canvas:
    return Canvas(PAGE, font, DPI)


def _wrap(text: str, size: int, width: float) -> list[str]:
    """One line if it fits, else two (a long school name), the second cut by `_Canvas.text` if need be."""
    if font(size).getlength(text) <= width:
        return [text]
    cut = len(text)
    while cut > 1 and font(size).getlength(text[:cut]) > width:
        cut -= 1
    return [text[:cut], text[cut:]]


def _column_edges() -> list[tuple[str, int, int]]:
    fixed = sum(w for _, w in COLUMNS)
    signature = PAGE[0] - 2 * MARGIN - fixed
    edges, x = [], MARGIN
    for title, width in COLUMNS:
        width = width or signature
        edges.append((title, x, x + width))
        x += width
    return edges


def _page(sheet: Sheet, people: list[Person], first_number: int, page_no: int, pages: int) -> Canvas:
    canvas = _canvas()
    draw = canvas.draw
    left, right = MARGIN, PAGE[0] - MARGIN
    canvas.text(left, MARGIN + 50, sheet.session_title, 46, width=right - left)
    canvas.text(left, MARGIN + 120, f"签到表 · {sheet.block_label}", 36)
    if sheet.topic:
        canvas.text(left, MARGIN + 172, sheet.topic, 28, MUTED, width=right - left)
    canvas.text(left, MARGIN + 222, f"应到 {len(sheet.people)} 人", 26, MUTED)
    page_label = f"第 {page_no} / {pages} 页"
    canvas.text(right - font(26).getlength(page_label), MARGIN + 222, page_label, 26, MUTED)

    top = MARGIN + HEADER_HEIGHT - 60
    edges = _column_edges()
    draw.rectangle((left, top, right, top + 60), fill=235)
    for title, x0, _x1 in edges:
        canvas.text(x0 + 14, top + 42, title, 26)
        draw.line((x0, top, x0, top + 60 + ROW_HEIGHT * len(people)), fill=RULE, width=2)
    draw.line((right, top, right, top + 60 + ROW_HEIGHT * len(people)), fill=RULE, width=2)
    draw.line((left, top, right, top), fill=INK, width=3)
    y = top + 60
    for offset, person in enumerate(people):
        draw.line((left, y, right, y), fill=RULE, width=2)
        values = [str(first_number + offset), person.name, person.county, person.school]
        for (_, x0, x1), value in zip(edges[:4], values, strict=True):
            size = 34 if value == person.name else 26
            width = x1 - x0 - 24
            lines = _wrap(value, size, width)
            for i, line in enumerate(lines):
                shift = (i - (len(lines) - 1) / 2) * size * 1.35
                canvas.text(x0 + 14, y + ROW_HEIGHT / 2 + size * 0.35 + shift, line, size, width=width)
        _, qx0, qx1 = edges[-1]
        symbol = qr_image(person.token, box_size=QR_BOX)
        canvas.image.paste(
            symbol, (int((qx0 + qx1 - symbol.width) / 2), int(y + (ROW_HEIGHT - symbol.height) / 2))
        )
        y += ROW_HEIGHT
    draw.line((left, y, right, y), fill=INK, width=3)
    note = "请本人签名。未带手机的老师，工作人员可扫描本行签到码补记签到。"
    canvas.text(left, PAGE[1] - MARGIN - 30, note, 24, MUTED, width=right - left - 400)
    if sheet.organisation:
        canvas.right(right, PAGE[1] - MARGIN - 30, sheet.organisation, 24, MUTED)
    return canvas


def sheet_pdf(sheet: Sheet) -> bytes:
    """The sign-in sheet as a PDF (an empty list of people gives one page with the header)."""
    per_page = rows_per_page()
    people = list(sheet.people)
    chunks = [people[i : i + per_page] for i in range(0, len(people), per_page)] or [[]]
    pages = []
    for index, chunk in enumerate(chunks):
        pages.append(_page(sheet, chunk, index * per_page + 1, index + 1, len(chunks)).page())
    return write_pdf(
        pages, advance, title=f"签到表 {sheet.session_title} {sheet.block_label}", author=sheet.organisation
    )

"""The 学时证明 (hours statement) as a PDF. Pure: plain data in, PDF bytes out.

A4 portrait at 200 dpi, drawn with Pillow in Noto Sans CJK SC under an invisible text layer: who (name and the
masked ID number), every training with its dates, hours and certificate serial, the total, the issuing
organisation and date, and the statement's serial with a QR code to its verification page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from training.certificates.fonts import font
from training.certificates.formatting import chinese_date, format_hours
from training.checkin.badges import qr_image
from training.ledger.records import StatementLine
from training.pdfwrite import Canvas, write_pdf

DPI = 200
PAGE = (1654, 2339)
MARGIN = 130
ROWS_PER_PAGE = 16
INK, MUTED, RULE = 0, 90, 150
# (title, width in px); the training name takes what is left
COLUMNS = (("年度", 110), ("培训名称", 0), ("培训日期", 400), ("学时", 120), ("结业证书编号", 290))


@dataclass(frozen=True)
class Statement:
    serial: str
    teacher_name: str
    id_masked: str
    rows: tuple[StatementLine, ...]
    total_hours: float
    organisation: str
    issued_on: date
    verify_url: str


def _advance(char: str) -> float:
    return font(1000).getlength(char)


def _edges(left: int, right: int) -> list[tuple[str, int, int]]:
    fixed = sum(w for _, w in COLUMNS)
    edges, x = [], left
    for title, width in COLUMNS:
        width = width or (right - left - fixed)
        edges.append((title, x, x + width))
        x += width
    return edges


def _page(s: Statement, rows: tuple[StatementLine, ...], page_no: int, pages: int, last: bool) -> Canvas:
    canvas = Canvas(PAGE, font, DPI)
    draw = canvas.draw
    left, right = MARGIN, PAGE[0] - MARGIN
    title = "学 时 证 明"
    canvas.text((PAGE[0] - font(72).getlength(title)) / 2, MARGIN + 90, title, 72)
    intro = f"兹证明 {s.teacher_name}（身份证号 {s.id_masked}）参加了以下培训，累计完成培训 {format_hours(s.total_hours)} 学时。"
    y = MARGIN + 220
    line, text_width = "", right - left
    for char in intro:  # wrap the sentence by width
        if font(32).getlength(line + char) > text_width:
            canvas.text(left, y, line, 32)
            y += 54
            line = ""
        line += char
    canvas.text(left, y, line, 32)
    top = y + 60
    edges = _edges(left, right)
    draw.rectangle((left, top, right, top + 58), fill=235)
    for name, x0, _x1 in edges:
        canvas.text(x0 + 12, top + 40, name, 26)
    y = top + 58
    row_height = 84
    for r in rows:
        draw.line((left, y, right, y), fill=RULE, width=2)
        values = [
            str(r.year),
            r.title,
            r.dates,
            format_hours(r.hours),
            r.certificate or "—",
        ]
        for (_, x0, x1), value in zip(edges, values, strict=True):
            canvas.text(x0 + 12, y + row_height / 2 + 10, value, 26, width=x1 - x0 - 20)
        y += row_height
    if last:
        draw.line((left, y, right, y), fill=INK, width=3)
        canvas.text(left + 12, y + 52, "合计", 28)
        _, hx0, _hx1 = edges[3]
        canvas.text(hx0 + 12, y + 52, format_hours(s.total_hours), 28)
        y += 80
    draw.line((left, y, right, y), fill=INK, width=3)

    if last:
        canvas.right(right, y + 140, s.organisation, 32)
        canvas.right(right, y + 200, chinese_date(s.issued_on), 30)
        symbol = qr_image(s.verify_url, box_size=6)
        qy = PAGE[1] - MARGIN - symbol.height
        canvas.image.paste(symbol, (left, qy))
        tx = left + symbol.width + 30
        canvas.text(tx, qy + 70, f"证明编号  {s.serial}", 28)
        canvas.text(tx, qy + 120, "扫码或访问以下网址查验本证明：", 24, MUTED)
        canvas.text(tx, qy + 160, s.verify_url, 24, MUTED, width=right - tx)
    label = f"第 {page_no} / {pages} 页"
    canvas.right(right, PAGE[1] - MARGIN + 60, label, 22, MUTED)
    return canvas


def statement_pdf(s: Statement) -> bytes:
    chunks = [s.rows[i : i + ROWS_PER_PAGE] for i in range(0, len(s.rows), ROWS_PER_PAGE)] or [()]
    pages = [
        _page(s, chunk, i + 1, len(chunks), i == len(chunks) - 1).page() for i, chunk in enumerate(chunks)
    ]
    return write_pdf(pages, _advance, title=f"学时证明 {s.serial}", author=s.organisation)

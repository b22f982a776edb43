"""CSV (UTF-8 with a BOM, so Excel on Windows reads Chinese correctly) and XLSX (openpyxl: bold shaded header,
one sheet per view, column widths, frozen header row, numbers kept as numbers and rates as percentages)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from training.i18n import gettext
from training.stats.views import View

BOM = "\ufeff"


def to_csv(view: View) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(view.headers())
    writer.writerows(view.text_rows())
    return buffer.getvalue().encode("utf-8")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]}({n})"
        n += 1
    used.add(name)
    return name


def to_xlsx(views: Sequence[View], subtitle: str = "") -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F5F8B")
    thin = Side(style="thin", color="D3DBE1")
    used: set[str] = set()
    for view in views:
        sheet = book.create_sheet(_sheet_title(gettext(view.title), used))
        headers = view.headers()
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(bottom=thin)
        for values in view.values():
            sheet.append(values)
        widths = [_display_width(h) for h in headers]
        for c, (_, _, kind) in enumerate(view.columns, start=1):
            letter = get_column_letter(c)
            for row in range(2, sheet.max_row + 1):
                cell = sheet[f"{letter}{row}"]
                if kind == "rate":
                    cell.number_format = "0.0%"
                elif kind == "hours":
                    cell.number_format = "#,##0.0"
                elif kind == "int":
                    cell.number_format = "0" if view.columns[c - 1][0] == "year" else "#,##0"
                widths[c - 1] = max(widths[c - 1], _display_width(str(cell.value or "")))
            sheet.column_dimensions[letter].width = min(40, max(8, widths[c - 1] + 2))
        sheet.row_dimensions[1].height = 30
        sheet.freeze_panes = "A2"
        if subtitle:
            sheet.oddFooter.center.text = subtitle
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

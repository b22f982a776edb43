"""Host schools and mentors from an XLSX file: the column layout, the downloadable template, reading and checking
every row. Nothing is written here (service.import_schools writes all rows or none).

The layout (docs/hosting.md): the first sheet, a header row, then one row per mentor; a school is repeated on
each of its mentors' rows, and a row with the mentor cells empty lists a school without mentors (yet).

| column | header | content |
| --- | --- | --- |
| A | 城市 | the host city as sessions name it (南通市; "南通" is read as 南通市) |
| B | 学校 | the host school's name |
| C | 区县 | its district (optional) |
| D | 导师 | the mentor's name (empty: the school only) |
| E | 学科 | the mentor's subject, one of the registration form's subjects |
| F | 学段 | the mentor's grade band: 幼儿园, 小学, 初中, 高中, 中职 |
| G | 可带人数 | how many exchange teachers she takes per cohort, 1–10 (empty: 2) |
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from training.enrollment.importing import (
    BANDS as BAND_NAMES,
)  # 小学 → primary, as the teacher import reads them
from training.enrollment.rules import GRADE_BANDS, SUBJECTS
from training.errors import DomainError
from training.i18n import N_, register_messages

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # a small file whose XML unpacks to gigabytes is refused before parsing
DEFAULT_CAPACITY = 2
MAX_CAPACITY = 10

# field → (header in the file, maximum length)
COLUMNS: dict[str, tuple[str, int]] = {
    "city": ("城市", 64),
    "school": ("学校", 128),
    "district": ("区县", 64),
    "mentor": ("导师", 64),
    "subject": ("学科", 32),
    "grade_band": ("学段", 16),
    "capacity": ("可带人数", 4),
}
BAND_TITLES = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
}
EXAMPLE_ROWS = [
    ("南通市", "南通市城中小学", "崇川区", "陈静", "语文", "小学", 2),
    ("南通市", "南通市城中小学", "崇川区", "周海燕", "数学", "小学", 2),
    ("常州市", "常州市北郊初级中学", "新北区", "王立新", "英语", "初中", 3),
]

register_messages(
    {
        "host_file_unreadable": N_(
            "This is not an XLSX file that can be read: save it from Excel or WPS as .xlsx."
        ),
        "host_file_too_large": N_("The file is too large (at most {max_mb} MB)."),
        "host_file_empty": N_("The file has no rows below the header."),
        "host_too_many_rows": N_("The file has too many rows (at most {max_rows})."),
        "host_bad_header": N_("The first row must be the header of the template: {headers}."),
        "unknown_subject": N_("Unknown subject: use one of the registration form's subjects."),
        "unknown_grade_band": N_("Unknown grade band: use 幼儿园, 小学, 初中, 高中 or 中职."),
        "mentor_capacity_range": N_("A whole number from 1 to {max}."),
        "mentor_needs_subject": N_("A mentor needs a subject and a grade band."),
        "duplicate_mentor": N_("This mentor of this school is already on line {line}."),
    }
)


class ImportRefused(DomainError):
    """The file as a whole cannot be read (nothing was imported)."""

    status = 400


@dataclass(frozen=True)
class MentorRow:
    line: int
    city: str
    school: str
    district: str
    mentor: str  # "" : a school without a mentor
    subject: str
    grade_band: str
    capacity: int


@dataclass(frozen=True)
class RowError:
    line: int  # the row number Excel shows
    column: str  # the header of the column at fault
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Checked:
    rows: list[MentorRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_city(text: str) -> str:
    """南通 → 南通市 (sessions name host cities with 市); 南通市 stays as it is."""
    city = "".join(text.split())
    return city + "市" if city and not city.endswith("市") else city


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, cell texts) of each non-empty row below the header; ImportRefused for a file that cannot be
    read as a whole."""
    if len(data) > MAX_BYTES:
        raise ImportRefused("host_file_too_large", params={"max_mb": MAX_BYTES // (1024 * 1024)})
    try:
        raw = _xlsx_rows(data)
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused("host_file_unreadable") from None
    headers = [h for h, _ in COLUMNS.values()]
    if not raw or [_text(c).replace(" ", "") for c in raw[0][: len(headers)]] != headers:
        raise ImportRefused("host_bad_header", params={"headers": "、".join(headers)})
    rows = []
    for line, cells in enumerate(raw[1:], start=2):
        texts = [_text(cells[i]) if i < len(cells) else "" for i in range(len(headers))]
        if any(texts):
            rows.append((line, texts))
    if not rows:
        raise ImportRefused("host_file_empty")
    return rows


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        if sum(item.file_size for item in package.infolist()) > MAX_UNPACKED_BYTES:
            raise ImportRefused("host_file_too_large", params={"max_mb": MAX_BYTES // (1024 * 1024)})
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows: list[list[Any]] = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise ImportRefused("host_too_many_rows", params={"max_rows": MAX_ROWS})
        return rows
    finally:
        workbook.close()


def grade_band_of(text: str) -> str:
    """The stored grade band for what a file says (小学, primary); "" when unknown."""
    value = text.strip()
    if value in GRADE_BANDS:
        return value
    return BAND_NAMES.get(value, "")


def check_rows(rows: list[tuple[int, list[str]]]) -> Checked:
    """Every row checked; every problem reported with its line and column. Pure."""
    result = Checked()
    seen: dict[tuple[str, str, str], int] = {}
    for line, texts in rows:
        values = dict(zip(COLUMNS, texts, strict=True))
        errors = _row_errors(line, values)
        key = (normalise_city(values["city"]), values["school"], values["mentor"])
        if values["mentor"] and key in seen:
            errors.append(RowError(line, COLUMNS["mentor"][0], "duplicate_mentor", {"line": seen[key]}))
        elif values["mentor"]:
            seen[key] = line
        if errors:
            result.errors += errors
            continue
        result.rows.append(
            MentorRow(
                line=line,
                city=normalise_city(values["city"]),
                school=values["school"],
                district=values["district"],
                mentor=values["mentor"],
                subject=values["subject"] if values["mentor"] else "",
                grade_band=grade_band_of(values["grade_band"]) if values["mentor"] else "",
                capacity=int(values["capacity"] or DEFAULT_CAPACITY) if values["mentor"] else 0,
            )
        )
    return result


def _row_errors(line: int, values: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []

    def add(name: str, code: str, **params: Any) -> None:
        errors.append(RowError(line, COLUMNS[name][0], code, params))

    for name in ("city", "school"):
        if not values[name]:
            add(name, "required")
    for name, (_, longest) in COLUMNS.items():
        if len(values[name]) > longest:
            add(name, "too_long", max=longest)
    if not values["mentor"]:
        return errors
    if not values["subject"] or not values["grade_band"]:
        add("subject" if not values["subject"] else "grade_band", "mentor_needs_subject")
    if values["subject"] and values["subject"] not in SUBJECTS:
        add("subject", "unknown_subject")
    if values["grade_band"] and not grade_band_of(values["grade_band"]):
        add("grade_band", "unknown_grade_band")
    capacity = values["capacity"]
    if capacity and (not capacity.isdigit() or not 1 <= int(capacity) <= MAX_CAPACITY):
        add("capacity", "mentor_capacity_range", max=MAX_CAPACITY)
    return errors


def template_xlsx() -> bytes:
    """The file organisers fill in: the header, three example rows, and a second sheet with the allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "导师"
    sheet.append([header for header, _ in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    for column, width in zip("ABCDEFG", (10, 24, 10, 10, 10, 8, 10), strict=True):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet("说明")
    notes.append(["每行一位导师；同一学校的导师各占一行，学校名称相同。导师列留空的行只登记学校。"])
    notes.append(["再次导入同一文件会更新已有的学校和导师，不会删除。任何一行有错误时，整个文件都不导入。"])
    notes.append([])
    notes.append(["学段", *BAND_TITLES.values()])
    notes.append(["学科", *SUBJECTS])
    notes.append(["可带人数", f"1–{MAX_CAPACITY}，留空为 {DEFAULT_CAPACITY}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

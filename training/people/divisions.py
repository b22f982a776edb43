"""GB/T 2260 administrative division codes and the county-list CSV. Pure: no project imports; the only I/O is
reading the national table shipped beside it (data/gb2260_counties.csv, see data/README.md), once."""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}  # fmt: skip
_CODE = re.compile(r"^\d{6}$")

HEADERS = {
    "code": ("code", "division_code", "adcode", "区划代码", "行政区划代码", "代码"),
    "name": ("name", "county", "名称", "县", "县名", "区县"),
    "prefecture": ("prefecture", "city", "市", "地区", "市州", "所属市州"),
    "province": ("province", "省", "省份"),
    "name_en": ("name_en", "english", "英文名"),
    "aided": ("aided", "帮扶", "帮扶点", "帮扶县"),
}
_TRUE = {"1", "true", "yes", "y", "是", "√"}
_FALSE = {"0", "false", "no", "n", "否"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    prefecture: str
    province: str


@functools.cache
def national_table() -> dict[str, Division]:
    """The county-level codes of GB/T 2260 by code (about 2,850), from the table shipped in the package."""
    text = resources.files("training.people").joinpath("data/gb2260_counties.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {
        row["code"]: Division(row["code"], row["name"], row["prefecture"], row["province"]) for row in reader
    }


def division_problem(code: str) -> str | None:
    """None when `code` is a county-level division code in the national table, else the reason."""
    if not _CODE.match(code):
        return "division_code_format"
    if code[:2] not in PROVINCES:
        return "division_code_province"
    if code[4:] == "00":
        return "division_code_not_county"
    if code not in national_table():
        return "division_code_unknown"
    return None


def name_problem(code: str, name: str) -> str | None:
    """None when `name` is the national table's name for `code`, a short form it starts with (剑阁 for 剑阁县), or
    it behind its prefecture or province (成都市锦江区); else "division_name_mismatch". Call after
    division_problem(code) found nothing."""
    division = national_table()[code]
    official = division.name
    if name == official or (len(name) >= 2 and official.startswith(name)):
        return None
    prefix = name.removesuffix(official)
    if prefix != name and prefix in {
        division.prefecture,
        division.province,
        division.province + division.prefecture,
    }:
        return None
    return "division_name_mismatch"


def official_name(code: str) -> str:
    division = national_table().get(code)
    return division.name if division else ""


def province_of(code: str) -> str:
    return PROVINCES.get(code[:2], "")


@dataclass(frozen=True)
class CountyRow:
    line: int
    code: str
    name: str
    province: str
    prefecture: str = ""
    name_en: str = ""
    aided: bool = True


@dataclass(frozen=True)
class CsvProblem:
    line: int
    code: str  # csv_* error code
    value: str = ""
    official: str = ""  # the national table's name, for csv_division_name_mismatch


def decode(data: bytes) -> str:
    """Spreadsheets here save CSV as UTF-8 (with or without BOM) or GBK/GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _header_map(row: list[str]) -> dict[str, int] | None:
    cells = [c.strip().lower() for c in row]
    found: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, cell in enumerate(cells):
            if cell in names:
                found[key] = i
                break
    return found if "code" in found and "name" in found else None


def parse_county_csv(text: str) -> tuple[list[CountyRow], list[CsvProblem]]:
    """Rows `code,name[,prefecture[,province]]`, or any column order with a header line naming them.
    The province is taken from the code when not given. Returns (rows, problems); problems name the line."""
    reader = csv.reader(io.StringIO(text))
    rows: list[CountyRow] = []
    problems: list[CsvProblem] = []
    seen: dict[str, int] = {}
    columns = {"code": 0, "name": 1, "prefecture": 2, "province": 3}
    for number, raw in enumerate(reader, start=1):
        if not any(cell.strip() for cell in raw):
            continue
        if number == 1 and not _CODE.match(raw[0].strip()):
            header = _header_map(raw)
            if header is None:
                problems.append(CsvProblem(1, "csv_no_header"))
                break
            columns = header
            continue

        def cell(key: str, raw: list[str] = raw, columns: dict[str, int] = columns) -> str:
            index = columns.get(key)
            return raw[index].strip() if index is not None and index < len(raw) else ""

        code, name = cell("code"), cell("name")
        reason = division_problem(code)
        if reason:
            problems.append(CsvProblem(number, "csv_" + reason, code))
            continue
        if not name:
            problems.append(CsvProblem(number, "csv_missing_name", code))
            continue
        if code in seen:
            problems.append(CsvProblem(number, "csv_duplicate_code", code))
            continue
        if name_problem(code, name):
            problems.append(CsvProblem(number, "csv_division_name_mismatch", code, official_name(code)))
            continue
        aided_text = cell("aided").lower()
        if aided_text and aided_text not in _TRUE | _FALSE:
            problems.append(CsvProblem(number, "csv_bad_aided", aided_text))
            continue
        seen[code] = number
        rows.append(
            CountyRow(
                line=number,
                code=code,
                name=name[:64],
                province=cell("province")[:32] or province_of(code),
                prefecture=cell("prefecture")[:64],
                name_en=cell("name_en")[:64],
                aided=aided_text not in _FALSE,
            )
        )
    if not rows and not problems:
        problems.append(CsvProblem(0, "csv_empty"))
    return rows, problems

"""The ledger's column layout: which fields, in which order, under which titles. Pure.

Provinces' registries differ in the titles (and order) of their import columns, so the layout is data: the
default below, or a JSON file named by TRAINING_LEDGER_COLUMNS (default `{data_dir}/ledger_columns.json` when it
exists), e.g.

    {"columns": [{"key": "name", "title": "教师姓名"}, {"key": "id_number", "title": "证件号码"},
                 {"key": "hours", "title": "培训学时"}]}

Keys not listed are left out; a key listed twice, an unknown key or an empty title is refused with a sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# key → default title (the order is the default layout)
FIELDS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号",
    "county": "县（市、区）",
    "school": "学校",
    "subject": "任教学科",
    "grade_band": "学段",
    "training": "培训名称",
    "starts_on": "培训开始日期",
    "ends_on": "培训结束日期",
    "organiser": "主办单位",
    "hours": "学时",
    "certificate": "结业证书编号",
}


class LayoutError(ValueError):
    """A column layout file that cannot be used; the message says why in one sentence."""


@dataclass(frozen=True)
class Column:
    key: str
    title: str


DEFAULT = tuple(Column(key, title) for key, title in FIELDS.items())


def parse(data: Any) -> tuple[Column, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list) or not data["columns"]:
        raise LayoutError('expected {"columns": [{"key": ..., "title": ...}, ...]} with at least one column')
    columns, seen = [], set()
    for i, item in enumerate(data["columns"], start=1):
        if not isinstance(item, dict):
            raise LayoutError(f"column {i}: expected an object with key and title")
        key = item.get("key")
        if key not in FIELDS:
            raise LayoutError(f"column {i}: unknown key {key!r} (known: {', '.join(FIELDS)})")
        if key in seen:
            raise LayoutError(f"column {i}: {key!r} is listed twice")
        title = item.get("title", FIELDS[key])
        if not isinstance(title, str) or not title.strip():
            raise LayoutError(f"column {i}: the title of {key!r} is empty")
        seen.add(key)
        columns.append(Column(key, title.strip()))
    return tuple(columns)


def load(path: Path | None) -> tuple[Column, ...]:
    """The layout from `path` (JSON), or the default when there is no file."""
    if path is None or not path.exists():
        return DEFAULT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayoutError(f"{path}: cannot read the column layout ({exc})") from None
    try:
        return parse(data)
    except LayoutError as exc:
        raise LayoutError(f"{path}: {exc}") from None

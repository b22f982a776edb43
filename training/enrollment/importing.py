"""Bulk import of participant or nominee lists from XLSX or CSV with the Chinese headers counties use.

preview() validates every row without writing (a dry run); run() imports the valid rows through the same seat path
as online registration. Re-importing a file changes nothing: a teacher already enrolled in the session is skipped
before anything is written (no profile update, no mail).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from training import textguard
from training.audit import writer as audit
from training.core.actor import Actor
from training.enrollment import service
from training.enrollment.nominations import nomination_problem
from training.enrollment.rules import Registration, validate, window_problem
from training.errors import DomainError
from training.people import requests as change_requests
from training.people import service as people
from training.people.changes import DIRECT, differences
from training.people.states import Origin
from training.people.tables import County
from training.programmes.sessions import Session, get_session
from training.programmes.states import RegistrationMode, SessionStatus

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 3000
# A 3,000-row sheet unpacks to a few MB; a "zip bomb" (a small file whose XML expands to gigabytes) is refused
# from the sizes the package declares, before any XML is parsed. zipfile never yields more than the declared size.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
# header as counties write it → registration field; several spellings per field
HEADERS: dict[str, str] = {
    "姓名": "name",
    "性别": "gender",
    "民族": "ethnicity",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "手机号": "phone",
    "手机号码": "phone",
    "联系电话": "phone",
    "邮箱": "email",
    "电子邮箱": "email",
    "县区": "county",
    "区划代码": "county",
    "县区/区划代码": "county",
    "学校": "school",
    "所在学校": "school",
    "学科": "subject",
    "任教学科": "subject",
    "学段": "grade_band",
    "职称": "title",
    "教龄": "years_teaching",
}
REQUIRED_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "phone",
    "email",
    "county",
    "school",
    "subject",
    "grade_band",
    "title",
    "years_teaching",
)
REQUIRED_HEADERS = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "id_number": "身份证号",
    "phone": "手机号",
    "email": "邮箱",
    "county": "县区/区划代码",
    "school": "学校",
    "subject": "学科",
    "grade_band": "学段",
    "title": "职称",
    "years_teaching": "教龄",
}
GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female"}
BANDS = {
    "幼儿园": "kindergarten",
    "学前": "kindergarten",
    "小学": "primary",
    "初中": "junior",
    "高中": "senior",
    "中职": "vocational",
    "职高": "vocational",
    "职业学校": "vocational",
}


class ImportRefused(DomainError):
    status = 400


# Columns whose numbers are identifiers, not quantities. Excel keeps 15 significant digits: an 18-digit ID number
# typed into a number-formatted column comes back rounded (510823198304050002 → 510823198304049984 or
# 5.10823E+17 in a CSV), and about one in ten rounded numbers still passes every check. Such cells are refused
# with the fix (format the column as text, type the numbers again), never converted.
NUMBER_SENSITIVE = ("id_number", "phone")
# How a number column reaches a CSV: scientific notation (5.10823E+17) or a decimal point (13812345678.0).
_CSV_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]*)?[eE][+-]?[0-9]+$|^[0-9]+\.[0-9]*$")


class RowValues(dict[str, str]):
    """A row's cells as text, plus the identifier columns that the file stored as numbers."""

    stored_as_number: frozenset[str] = frozenset()


def _stored_as_number(value: Any, field: str, from_csv: bool) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):  # an XLSX number cell
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    if _CSV_NUMBER.match(text):
        return True
    # A CSV written from a number column with a whole-number format carries the rounded digits themselves:
    # 18 digits ending in 000 that fail the check digit are that, not a mistyped check digit. (In an XLSX
    # text cell they are what was typed: the check-digit error stands.)
    return (
        from_csv
        and field == "id_number"
        and _ROUNDED_ID.match(text) is not None
        and not _check_digit_holds(text)
    )


_ROUNDED_ID = re.compile(r"^[0-9]{15}000$")


def _check_digit_holds(number: str) -> bool:
    from training.people.identity import check_digit

    return check_digit(number[:17]) == number[17]


@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    action: str = "new"  # new / existing / error; after run(): confirmed / waitlisted / nominated / ...
    # What the row is to the teacher records (docs/people.md): new teacher / on file unchanged / on file with
    # changes (each field old → new, masked where personal) / conflict (same ID, other name or birth date: refused)
    teacher: str = ""  # new / unchanged / changes / conflict
    changes: dict[str, list[Any]] = field(default_factory=dict)
    applied: bool = False  # run(apply_changes=True): the changes were written to the record


@dataclass
class Preview:
    rows: list[Row]

    @property
    def error_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.errors and r.action == "new"]

    @property
    def existing_rows(self) -> list[Row]:
        return [r for r in self.rows if r.action == "existing"]

    def teacher_rows(self, kind: str) -> list[Row]:
        return [r for r in self.rows if r.teacher == kind]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {field: text}) for each non-empty row; raises ImportRefused with a clear reason."""
    if len(data) > MAX_BYTES:
        raise ImportRefused("file_too_large", params={"max_mb": MAX_BYTES // (1024 * 1024)})
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            raw_rows = _xlsx_rows(data)
        elif name.endswith(".csv"):
            raw_rows = _csv_rows(data)
        else:
            raise ImportRefused("file_unreadable")
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused("file_unreadable") from None
    if not raw_rows:
        raise ImportRefused("file_unreadable")
    from_csv = name.endswith(".csv")
    header = [_text(h).replace(" ", "") for h in raw_rows[0]]
    columns = {i: HEADERS[h] for i, h in enumerate(header) if h in HEADERS}
    missing = [REQUIRED_HEADERS[f] for f in REQUIRED_FIELDS if f not in columns.values()]
    if missing:
        raise ImportRefused("missing_columns", params={"columns": "、".join(missing)})
    result: list[tuple[int, dict[str, str]]] = []
    for offset, raw in enumerate(raw_rows[1:], start=2):
        values = RowValues({f: _text(raw[i]) if i < len(raw) else "" for i, f in columns.items()})
        if not any(values.values()):
            continue
        values.stored_as_number = frozenset(
            f
            for i, f in columns.items()
            if f in NUMBER_SENSITIVE and i < len(raw) and _stored_as_number(raw[i], f, from_csv)
        )
        result.append((offset, values))
        if len(result) > MAX_ROWS:
            raise ImportRefused("too_many_rows", params={"max_rows": MAX_ROWS})
    return result


def _check_package(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        unpacked = sum(item.file_size for item in package.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused("file_unpacks_too_large", params={"max_mb": MAX_UNPACKED_BYTES // (1024 * 1024)})


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    _check_package(data)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise ImportRefused("too_many_rows", params={"max_rows": MAX_ROWS})
        return rows
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK by default
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused("file_unreadable")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def normalise(values: dict[str, str], counties: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """Map the spreadsheet's Chinese values to the form's; returns (values, errors found while mapping)."""
    # A file's cells are input like a form's fields: the same refusal of control characters, direction marks and
    # invisible-only values (training/textguard.py).
    errors: dict[str, str] = textguard.first_problems(dict(values))
    out = dict(values)
    out["gender"] = GENDERS.get(values.get("gender", ""), values.get("gender", ""))
    out["grade_band"] = BANDS.get(values.get("grade_band", ""), values.get("grade_band", ""))
    county = values.get("county", "")
    if county:
        county_id = counties.get(county) or counties.get(county.split("/")[0].strip())
        if county_id is None:
            errors["county"] = "unknown_county"
        else:
            out["county"] = str(county_id)
    if out.get("years_teaching", "").endswith("年"):
        out["years_teaching"] = out["years_teaching"][:-1]
    return out, errors


def number_errors(values: dict[str, str]) -> dict[str, str]:
    """'stored_as_number' for each identifier column the file kept as a number (see NUMBER_SENSITIVE)."""
    return {f: "stored_as_number" for f in getattr(values, "stored_as_number", ())}


def intake_problem(session: Session, now: datetime) -> str | None:
    """Why the session takes no imported participants now: the rules of online registration (open and approval
    sessions) or of nomination (nomination sessions), whoever imports. None: it takes them."""
    if session.status != SessionStatus.PUBLISHED:
        return "session_not_taking_participants"
    if session.mode == RegistrationMode.NOMINATION:
        return nomination_problem(session, now)
    return window_problem(
        status=session.status,
        mode=session.mode,
        opens_at=session.registration_opens_at,
        closes_at=session.registration_closes_at,
        now=now,
    )


def _admit(session: Session, coordinator_county: int | None, override_reason: str) -> str | None:
    """The problem an organiser's written reason overrides (None: no problem); ImportRefused otherwise."""
    problem = intake_problem(session, datetime.now(UTC))
    if problem and (coordinator_county is not None or not override_reason.strip()):
        raise ImportRefused(problem)
    return problem


async def preview(
    session_id: int,
    filename: str,
    data: bytes,
    *,
    coordinator_county: int | None = None,
    override_reason: str = "",
) -> Preview:
    session = await get_session(session_id)
    _admit(session, coordinator_county, override_reason)
    table = read_table(filename, data)
    counties = await county_ids_by_code_or_name()
    eligible = {c.id for c in await service.eligible_counties(session_id)}
    today = service.local_today()
    seen: set[str] = set()
    rows: list[Row] = []
    for line, raw in table:
        values, errors = normalise(raw, counties)
        reg, rule_errors = validate(values, today=today, eligible_county_ids=eligible, require_consent=False)
        errors = {**rule_errors, **errors, **number_errors(raw)}
        if reg is not None and coordinator_county is not None and reg.county_id != coordinator_county:
            errors["county"] = "county_not_yours"
        row = Row(line=line, values=raw, errors=errors)
        if reg is not None and not errors:
            if reg.id_number in seen:
                row.errors["id_number"] = "duplicate_in_file"
            seen.add(reg.id_number)
            if not row.errors:
                await _classify(row, reg, coordinator_county)
            if not row.errors and await service.existing_enrollment(session.id, reg.id_number) is not None:
                row.action = "existing"
        if row.errors:
            row.action = "error"
        rows.append(row)
    return Preview(rows)


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


async def _classify(row: Row, reg: Registration, coordinator_county: int | None) -> None:
    """Compare the row with the teacher on file (if any): new / unchanged / changes / conflict."""
    record = await people.find_teacher(reg.id_number)
    if record is None:
        row.teacher = "new"
        return
    if coordinator_county is not None and int(record["county"]) != coordinator_county:
        row.errors["id_number"] = "teacher_of_another_county"
        row.teacher = "conflict"
        return
    if not _same_name(record["name"], reg.name) or (
        record["birth_date"] is not None and record["birth_date"] != reg.birth_date
    ):
        # The same ID number with another name or birth date is a typo or another person: never merged.
        row.errors["name"] = "id_conflicts_with_record"
        row.teacher = "conflict"
        return
    proposed = people.proposal(service.profile_of(reg, None))
    found = {
        k: v
        for k, v in differences(change_requests.plain_record(record), proposed).items()
        if k not in DIRECT
    }
    row.teacher = "changes" if found else "unchanged"
    row.changes = await change_requests.shown_changes(found)


async def run(
    session_id: int,
    filename: str,
    data: bytes,
    *,
    base_url: str,
    actor: Actor | None,
    coordinator_county: int | None = None,
    override_reason: str = "",
    apply_changes: bool = False,
) -> Preview:
    """Import every valid new row (rows with errors and teachers already enrolled are left alone).

    The session's status, registration window and nomination deadline bind every role; an organiser (or the
    command line) may import past them with a written reason, kept in the import's audit entry. What a row says
    differently about a teacher on file becomes a pending change request, or, with apply_changes (organisers
    only), is written to her record at once, audited with the file as the reason."""
    session = await get_session(session_id)
    overridden = _admit(session, coordinator_county, override_reason)
    result = await preview(
        session_id, filename, data, coordinator_county=coordinator_county, override_reason=override_reason
    )
    counties = await county_ids_by_code_or_name()
    eligible = {c.id for c in await service.eligible_counties(session_id)}
    today = service.local_today(datetime.now(UTC))
    for row in result.new_rows:
        values, _ = normalise(row.values, counties)
        reg, _ = validate(values, today=today, eligible_county_ids=eligible, require_consent=False)
        assert reg is not None
        try:
            outcome = await service.enroll(
                session, reg, base_url=base_url, source=Origin.IMPORT, nominated_by=actor
            )
        except DomainError as exc:
            row.errors["_row"] = exc.code
            row.action = "error"
            continue
        row.action = outcome.status if outcome.created else "existing"
        if outcome.created and apply_changes and row.teacher == "changes":
            row.applied = await change_requests.apply_for_enrollment(
                outcome.enrollment_id, actor=actor, reason=f"import {filename}"
            )
    added = [r.line for r in result.rows if r.action not in ("existing", "error", "new")]
    await audit.record(
        actor,
        "import",
        "session",
        session_id,
        {
            "file": filename,
            "rows": len(result.rows),
            "added": len(added),
            **(
                {"override": {"problem": overridden, "reason": override_reason.strip()[:500]}}
                if overridden
                else {}
            ),
            "new_teachers": len(result.teacher_rows("new")),
            "with_changes": len(result.teacher_rows("changes")),
            "changes_applied": sum(1 for r in result.rows if r.applied),
            "conflicts": len(result.teacher_rows("conflict")),
        },
    )
    return result


async def county_ids_by_code_or_name() -> dict[str, int]:
    rows = await County.select(County.id, County.code, County.name)
    result: dict[str, int] = {}
    for r in rows:
        result[r["code"]] = int(r["id"])
        result[r["name"]] = int(r["id"])
    return result

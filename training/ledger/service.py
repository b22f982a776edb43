"""The 学时 ledger: one row per confirmed enrollment with attended hours, per session or per year, in the
layout a provincial registry imports; and a teacher's own hours across all years.

Hours come from the same count as certificates (`attended_hours_by_enrollment`: the hours of the non-cancelled
blocks checked in to), so the ledger, the certificate and the eligibility page never disagree. County, school,
subject and grade band are the enrollment's snapshot (what she was that year). The full ID number is decrypted
only for an organiser's download, which is audited with the number of rows; pages show the mask.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook

from training import db
from training.audit import writer as audit
from training.certificates.candidates import attended_hours_by_enrollment
from training.config import Settings
from training.core.actor import Actor
from training.enrollment.rosters import _cell as safe_cell
from training.ledger import sql
from training.ledger.columns import Column, load
from training.ledger.states import LedgerFormat
from training.people import service as people
from training.programmes.sessions import get_session
from training.programmes.tables import TrainingSession

BANDS = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
}


@dataclass(frozen=True)
class LedgerRow:
    enrollment_id: int
    teacher_id: int
    name: str
    id_masked: str
    id_encrypted: str
    county: str
    school: str
    subject: str
    grade_band: str
    training: str
    starts_on: date
    ends_on: date
    hours: float
    certificate: str  # serial of the valid certificate, "" if none

    def values(self, columns: tuple[Column, ...], organiser: str, *, full_id: bool) -> list[Any]:
        fields = {
            "name": self.name,
            "id_number": people.reveal_id_number({"id_encrypted": self.id_encrypted})
            if full_id and self.id_encrypted
            else self.id_masked,
            "county": self.county,
            "school": self.school,
            "subject": self.subject,
            "grade_band": BANDS.get(self.grade_band, self.grade_band),
            "training": self.training,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "organiser": organiser,
            "hours": self.hours,
            "certificate": self.certificate,
        }
        return [safe_cell(fields[c.key]) for c in columns]


async def session_rows(session_id: int) -> list[LedgerRow]:
    """The session's confirmed enrollments that attended at least one (non-cancelled) block."""
    hours = await attended_hours_by_enrollment(session_id)
    rows = await sql.session_rows(session_id)
    result = [
        LedgerRow(
            enrollment_id=int(r["e_id"]),
            teacher_id=int(r["teacher_id"]),
            name=r["name"] or "",
            id_masked=r["id_masked"] or "",
            id_encrypted=r["id_encrypted"] or "",
            county=r["county"] or "",
            school=r["school_ref"] or r["school_name"] or "",
            subject=r["subject"] or "",
            grade_band=r["grade_band"] or "",
            training=r["training"],
            starts_on=_as_date(r["starts_on"]),
            ends_on=_as_date(r["ends_on"]),
            hours=round(hours[int(r["e_id"])], 2),
            certificate=r["certificate"] or "",
        )
        for r in rows
        if hours.get(int(r["e_id"]), 0.0) > 0
    ]
    return sorted(result, key=lambda row: (row.county, row.name, row.enrollment_id))


async def year_rows(year: int) -> list[LedgerRow]:
    sessions = (
        await TrainingSession.select(TrainingSession.id)
        .where(TrainingSession.year == year)
        .order_by(TrainingSession.starts_on)
    )
    result: list[LedgerRow] = []
    for session in sessions:
        result += await session_rows(session["id"])
    return result


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------------------------------------------------------
# Downloads (organisers only, audited)


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    content: bytes
    rows: int


def to_csv(columns: tuple[Column, ...], data: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.title for c in columns])
    writer.writerows(data)
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel on Windows opens UTF-8 CSV correctly


def to_xlsx(columns: tuple[Column, ...], data: list[list[Any]], title: str) -> bytes:
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "学时")
    sheet.append([c.title for c in columns])
    text_columns = {i for i, c in enumerate(columns) if c.key not in ("hours",)}
    for row in data:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)
            if i in text_columns:
                cell.number_format = "@"  # ID numbers and dates stay text: Excel would round 18 digits
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def download(
    settings: Settings,
    actor: Actor | None,
    fmt: LedgerFormat,
    *,
    session_id: int | None = None,
    year: int | None = None,
) -> Download:
    """The ledger of a session or a year, full ID numbers included; recorded in the audit log."""
    columns = load(settings.ledger_columns_path)
    if session_id is not None:
        await get_session(session_id)  # NotFound for an unknown session
        rows = await session_rows(session_id)
        scope, entity, entity_id = f"{session_id}", "session", str(session_id)
    else:
        assert year is not None
        rows = await year_rows(year)
        scope, entity, entity_id = f"{year}", "year", str(year)
    data = [row.values(columns, settings.organisation_name, full_id=True) for row in rows]
    async with db.transaction():
        await audit.record(
            actor,
            "download_hours_ledger",
            entity,
            entity_id,
            {"format": fmt, "rows": len(rows), "full_id_numbers": True, "columns": [c.key for c in columns]},
        )
    stem = f"学时-{'session' if entity == 'session' else 'year'}-{scope}"
    if fmt is LedgerFormat.XLSX:
        return Download(
            f"{stem}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            to_xlsx(columns, data, f"学时 {scope}"),
            len(rows),
        )
    return Download(f"{stem}.csv", "text/csv; charset=utf-8", to_csv(columns, data), len(rows))


def preview(rows: list[LedgerRow], columns: tuple[Column, ...], organiser: str) -> list[list[Any]]:
    """What the organiser's page shows: the same cells with the ID number masked."""
    return [row.values(columns, organiser, full_id=False) for row in rows]

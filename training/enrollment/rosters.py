"""Rosters for organisers and county coordinators: filter, search, export (ID numbers masked)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.core.masking import mask_email
from training.core.phones import normalize_mobile
from training.enrollment import answers, seating, snapshots
from training.enrollment.states import EnrollmentStatus
from training.errors import NotFound
from training.people import service as people
from training.people.identity import name_search_key

EXPORT_LIMIT = 20000


@dataclass(frozen=True, slots=True)
class RosterFilter:
    county_id: int | None = None  # coordinators: forced to their own county by the caller
    status: str = ""
    school: str = ""  # part of the school name
    query: str = ""  # part of a name, or a whole mobile number (matched by keyed hash)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One enrollment on a roster: the profile as the enrollment keeps it (snapshots.py), the teacher's masked
    identity and contact, and her place on the waiting list."""

    id: int
    status: EnrollmentStatus
    waitlist_seq: int | None
    manual_code: str
    source: str
    created_at: datetime
    county: int
    name: str
    school_name: str
    subject: str
    grade_band: str
    title: str
    gender: str
    ethnicity: str
    id_masked: str
    phone_masked: str
    email: str
    years_teaching: int | None
    county_name: str
    phone_encrypted: str = field(default="", repr=False)  # revealed only for a contacts export
    position: int | None = None  # on the waiting list

    @classmethod
    def from_row(cls, row: Mapping[str, Any], position: int | None) -> RosterEntry:
        values = {name: row[name] for name in _ROW_FIELDS}
        values["status"] = EnrollmentStatus(values["status"])
        return cls(**values, position=position)


_ROW_FIELDS = tuple(f.name for f in fields(RosterEntry) if f.name != "position")


async def roster(
    session_id: int, f: RosterFilter, *, limit: int = 200, offset: int = 0
) -> tuple[list[RosterEntry], int]:
    """(rows, total) ordered by status then registration time."""
    where = ['e."session" = {}']
    args: list[Any] = [session_id]
    if f.county_id is not None:
        where.append('e."county" = {}')
        args.append(f.county_id)
    if f.status:
        where.append('e."status" = {}')
        args.append(f.status)
    if f.school.strip():
        where.append('e."school_name" LIKE {}')
        args.append(f"%{_like(f.school.strip())}%")
    query = f.query.strip()
    if query:
        phone_hash = people.phone_search_hash(query)
        if phone_hash is not None:
            where.append('t."phone_hash" = {}')
            args.append(phone_hash)
        elif normalize_mobile(query).isdigit():
            where.append('t."phone_masked" LIKE {}')  # the last four digits are kept in the mask
            args.append(f"%{_like(normalize_mobile(query)[-4:])}")
        else:
            # The name as printed for this enrollment, or today's, compared without spaces: 王芳 finds a
            # "王 芳" stored before names were normalised, and "王 芳" typed in the search box finds 王芳.
            key = f"%{_like(name_search_key(query))}%"
            printed, today = _no_spaces('e."teacher_name"'), _no_spaces('t."name"')
            where.append(f"({printed} LIKE {{}} OR {today} LIKE {{}})")
            args += [key, key]
    clause = " AND ".join(where)
    base = f'FROM "enrollment" e JOIN "teacher" t ON t."id" = e."teacher" JOIN "county" c ON c."id" = e."county" WHERE {clause}'
    # On SQLite, training.db reads on a persistent reader connection (Piccolo opens a connection and a thread per query,
    # ~2.5 ms each): with the waiting-list places below in one statement, the page's p99 under a registration
    # rush went from 508 to 33 ms (bench/soak.py, docs/e2e.md).
    total = (await db.fetch(f"SELECT COUNT(*) AS n {base}", *args))[0]["n"]
    rows = list(
        await db.fetch(
            'SELECT e."id", e."status", e."waitlist_seq", e."manual_code", e."source", e."created_at", e."county", '
            f"{snapshots.select_sql()}, "
            't."gender", t."ethnicity", t."id_masked", t."phone_masked", t."phone_encrypted", t."email", '
            't."years_teaching", c."name" AS county_name '
            f"{base} ORDER BY CASE e.\"status\" WHEN 'pending' THEN 0 WHEN 'nominated' THEN 1 WHEN 'confirmed' THEN 2 "
            'WHEN \'waitlisted\' THEN 3 ELSE 4 END, e."waitlist_seq", e."created_at", e."id" LIMIT {} OFFSET {}',
            *args,
            limit,
            offset,
        )
    )
    waiting = [
        int(r["waitlist_seq"])
        for r in rows
        if r["status"] == EnrollmentStatus.WAITLISTED and r["waitlist_seq"] is not None
    ]
    positions = await seating.waitlist_positions(session_id, waiting)
    entries = [
        RosterEntry.from_row(
            r,
            positions.get(int(r["waitlist_seq"]))
            if r["status"] == EnrollmentStatus.WAITLISTED and r["waitlist_seq"] is not None
            else None,
        )
        for r in rows
    ]
    return entries, int(total)


def _no_spaces(column: str) -> str:
    """SQL for the column without ASCII or ideographic spaces (same on SQLite and PostgreSQL)."""
    return f"REPLACE(REPLACE({column}, ' ', ''), '\u3000', '')"


def _like(text: str) -> str:
    return text.replace("%", "").replace("_", "")


EXPORT_HEADERS = [
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "手机号",
    "邮箱",
    "县区",
    "学校",
    "学科",
    "学段",
    "职称",
    "教龄",
    "状态",
    "签到码",
]
_GENDER = {"male": "男", "female": "女"}
_BANDS = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
}
_STATUS = {
    EnrollmentStatus.PENDING: "待审核",
    EnrollmentStatus.NOMINATED: "已推荐",
    EnrollmentStatus.CONFIRMED: "已确认",
    EnrollmentStatus.WAITLISTED: "候补",
    EnrollmentStatus.CANCELLED: "已取消",
    EnrollmentStatus.REJECTED: "未通过",
}


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a name typed as '=HYPERLINK(...)' must stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(rows: list[RosterEntry], *, contacts: bool = False) -> list[list[Any]]:
    """The ID number always masked; phone and e-mail in full only with `contacts` (a list to call teachers from,
    which the caller allows and audits), masked otherwise (what the consent text promises)."""
    result = []
    for r in rows:
        phone = people.reveal_phone({"phone_encrypted": r.phone_encrypted}) if contacts else r.phone_masked
        email = r.email if contacts else mask_email(r.email or "")
        result.append(
            [
                _cell(v)
                for v in (
                    r.name,
                    _GENDER.get(r.gender, r.gender),
                    r.ethnicity,
                    r.id_masked,
                    phone,
                    email,
                    r.county_name,
                    r.school_name,
                    r.subject,
                    _BANDS.get(r.grade_band, r.grade_band),
                    r.title,
                    r.years_teaching,
                    _STATUS.get(r.status, r.status),
                    r.manual_code,
                )
            ]
        )
    return result


def to_csv(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers or EXPORT_HEADERS)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel on Windows opens UTF-8 CSV correctly


def to_xlsx(rows: list[list[Any]], title: str = "名单", headers: list[str] | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "名单")
    sheet.append(headers or EXPORT_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def export(
    session_id: int, f: RosterFilter, fmt: str, *, actor: Actor | None, contacts: bool = False
) -> bytes:
    """The filtered roster as XLSX or CSV, masked unless `contacts` (the caller decides who may have them);
    every download is recorded in the audit log, with whether it carried full phone numbers and e-mails."""
    rows, _ = await roster(session_id, f, limit=EXPORT_LIMIT)
    data = export_rows(rows, contacts=contacts)
    # The session's questions follow, those the reader may see (answers.visible_to), archived ones included.
    questions = await answers.session_questions(
        session_id, answers.visible_to(actor.role if actor else "organiser")
    )
    if questions:
        given = await answers.answers_of(session_id)
        for entry, line in zip(rows, data, strict=True):
            line.extend(_cell(v) for v in answers.export_cells(questions, given.get(entry.id)))
    headers = EXPORT_HEADERS + answers.export_headers(questions)
    await audit.record(
        actor,
        "export_roster",
        "session",
        session_id,
        {
            "format": fmt,
            "rows": len(rows),
            "contacts": "full" if contacts else "masked",
            "county": f.county_id,
            "status": f.status,
            "school": f.school,
            "query": bool(f.query),
        },
    )
    return to_xlsx(data, headers=headers) if fmt == "xlsx" else to_csv(data, headers)


async def set_coordinator_contacts(session_id: int, allow: bool, *, actor: Actor | None) -> None:
    """Whether county coordinators may download full phone numbers and e-mails for this session (audited)."""
    async with db.transaction():
        rows = await db.fetch(
            'UPDATE "training_session" SET "coordinators_get_contacts" = {} WHERE "id" = {} RETURNING "id"',
            allow,
            session_id,
        )
        if not rows:
            raise NotFound()
        await audit.record(actor, "coordinator_contacts", "session", session_id, {"allowed": allow})


async def counts(session_id: int, county_id: int | None = None) -> dict[str, int]:
    sql = 'SELECT "status", COUNT(*) AS n FROM "enrollment" WHERE "session" = {}'
    args: list[Any] = [session_id]
    if county_id is not None:
        sql += ' AND "county" = {}'
        args.append(county_id)
    return {r["status"]: int(r["n"]) for r in await db.fetch(sql + ' GROUP BY "status"', *args)}

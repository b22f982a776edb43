"""Counties (帮扶点, by GB/T 2260 code) and their schools: list, add, edit, import the county list from CSV."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.errors import Conflict, NotFound, ValidationFailed
from training.i18n import N_, register_messages
from training.people import sql
from training.people.divisions import (
    CountyRow,
    decode,
    division_problem,
    name_problem,
    official_name,
    parse_county_csv,
    province_of,
)
from training.people.states import SchoolLevel
from training.people.tables import County, School

T = TypeVar("T")

SCHOOL_LEVELS: tuple[SchoolLevel, ...] = tuple(SchoolLevel)

register_messages(
    {
        "division_code_format": N_("Enter the 6-digit administrative division code, e.g. 510823."),
        "division_code_province": N_("The first two digits are not a province code."),
        "division_code_not_county": N_("This is a prefecture or province code; enter a county-level code."),
        "division_code_unknown": N_(
            "No county has this code in the national table of division codes (GB/T 2260); check the code."
        ),
        "division_name_mismatch": N_("The national table names the county with this code “{official}”."),
        "county_code_taken": N_("A county with this code already exists."),
        "school_exists": N_("This county already has a school with this name."),
        "csv_no_header": N_("Line 1: the header must name at least the code and name columns."),
        "csv_division_code_format": N_("Line {line}: “{value}” is not a 6-digit division code."),
        "csv_division_code_province": N_("Line {line}: “{value}” does not start with a province code."),
        "csv_division_code_not_county": N_("Line {line}: “{value}” is not a county-level code."),
        "csv_division_code_unknown": N_(
            "Line {line}: no county has the code {value} in the national table (GB/T 2260); check the code."
        ),
        "csv_division_name_mismatch": N_(
            "Line {line}: the national table names the county with the code {value} “{official}”."
        ),
        "csv_missing_name": N_("Line {line}: the county name is missing."),
        "csv_duplicate_code": N_("Line {line}: the code {value} appears twice in the file."),
        "csv_bad_aided": N_("Line {line}: write yes/no (是/否) in the aided column, not “{value}”."),
        "csv_empty": N_("The file contains no counties."),
    }
)


@dataclass(frozen=True, slots=True)
class CountyRecord:
    """A county as lists, pages and the API show it."""

    id: int
    code: str
    name: str
    name_en: str
    province: str
    prefecture: str
    aided: bool
    created_at: datetime | None = None
    school_count: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any], school_count: int = 0) -> CountyRecord:
        return cls(
            int(row["id"]),
            row["code"],
            row["name"],
            row["name_en"],
            row["province"],
            row["prefecture"],
            bool(row["aided"]),
            row["created_at"],
            school_count,
        )


@dataclass(frozen=True, slots=True)
class SchoolRecord:
    id: int
    county: int  # the county's id
    name: str
    level: SchoolLevel
    county_name: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SchoolRecord:
        return cls(
            int(row["id"]),
            int(row["county"]),
            row["name"],
            SchoolLevel(row["level"]),
            row.get("county_name") or "",
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, as the API returns it: {"items", "total", "limit", "offset"}."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass
class CountyDraft:
    code: str
    name: str
    province: str = ""
    prefecture: str = ""
    name_en: str = ""
    aided: bool = True


@dataclass
class SchoolDraft:
    county_id: int
    name: str
    level: str = "other"


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _check_county(draft: CountyDraft) -> CountyDraft:
    draft.code = draft.code.strip()
    draft.name = draft.name.strip()
    errors: dict[str, str] = {}
    reason = division_problem(draft.code)
    if reason:
        errors["code"] = reason
    if not draft.name:
        errors["name"] = "required"
    elif len(draft.name) > 64:
        errors["name"] = "too_long"
    elif not reason and name_problem(draft.code, draft.name):
        errors["name"] = "division_name_mismatch"
    if errors:
        raise ValidationFailed(errors, params={"max": 64, "official": official_name(draft.code)})
    draft.province = draft.province.strip() or province_of(draft.code)
    return draft


async def list_counties(
    *, query: str = "", aided: bool | None = None, limit: int = 200, offset: int = 0
) -> Page[CountyRecord]:
    conditions: list[Any] = []
    if query:
        conditions.append(County.name.like(f"%{query}%") | County.code.like(f"{query}%"))
    if aided is not None:
        conditions.append(County.aided == aided)
    select = County.select().order_by(County.code).limit(limit).offset(offset)
    count = County.count()
    for condition in conditions:
        select = select.where(condition)
        count = count.where(condition)
    rows = await select
    counts = await sql.school_counts()
    items = [CountyRecord.from_row(r, int(counts.get(r["id"], 0))) for r in rows]
    return Page(items=items, total=int(await count), limit=limit, offset=offset)


async def _county_row(county_id: int) -> dict[str, Any]:
    row = await County.select().where(County.id == county_id).first()
    if row is None:
        raise NotFound()
    return row


async def get_county(county_id: int) -> CountyRecord:
    return CountyRecord.from_row(await _county_row(county_id))


async def create_county(actor: Actor | None, draft: CountyDraft) -> int:
    draft = _check_county(draft)
    async with db.transaction():
        if await County.exists().where(County.code == draft.code):
            raise Conflict("county_code_taken", fields={"code": "county_code_taken"})
        rows = await County.insert(County(**asdict(draft)))
        county_id = int(rows[0]["id"])
        await audit.record_change(actor, "county", county_id, None, asdict(draft))
    return county_id


async def update_county(actor: Actor | None, county_id: int, draft: CountyDraft) -> None:
    draft = _check_county(draft)
    async with db.transaction():
        before = await _county_row(county_id)  # as stored, for the audit diff
        if await County.exists().where((County.code == draft.code) & (County.id != county_id)):
            raise Conflict("county_code_taken", fields={"code": "county_code_taken"})
        await County.update({getattr(County, k): v for k, v in asdict(draft).items()}).where(
            County.id == county_id
        )
        await audit.record_change(actor, "county", county_id, before, {**before, **asdict(draft)})


async def import_counties(actor: Actor | None, data: bytes | str) -> ImportResult:
    """Add new codes and update the names of known ones; any bad line refuses the whole file (nothing changes)."""
    text = decode(data) if isinstance(data, bytes) else data
    rows, problems = parse_county_csv(text)
    if problems:
        first = problems[0]
        raise ValidationFailed(
            {"file": first.code},
            params={
                "line": first.line,
                "value": first.value,
                "official": first.official,
                "problems": [
                    {"line": p.line, "code": p.code, "value": p.value, "official": p.official}
                    for p in problems[:50]
                ],
            },
        )
    created = updated = unchanged = 0
    async with db.transaction():
        existing = {
            r["code"]: r for r in await County.select().where(County.code.is_in([r.code for r in rows]))
        }
        new_rows: list[CountyRow] = []
        for row in rows:
            values = _row_values(row)
            old = existing.get(row.code)
            if old is None:
                new_rows.append(row)
                continue
            # An import never blanks what an organiser typed: empty cells keep the stored value.
            changes = {k: v for k, v in values.items() if v not in ("", None) and old[k] != v}
            if not changes:
                unchanged += 1
                continue
            await County.update({getattr(County, k): v for k, v in changes.items()}).where(
                County.id == old["id"]
            )
            await audit.record_change(actor, "county", old["id"], old, {**old, **changes})
            updated += 1
        if new_rows:
            inserted = await County.insert(*[County(**_row_values(r)) for r in new_rows])
            for result, row in zip(inserted, new_rows, strict=True):
                await audit.record_change(actor, "county", int(result["id"]), None, _row_values(row))
            created = len(new_rows)
        await audit.record(
            actor, "import", "county", "", {"created": created, "updated": updated, "unchanged": unchanged}
        )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _row_values(row: CountyRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "province": row.province,
        "prefecture": row.prefecture,
        "name_en": row.name_en,
        "aided": row.aided,
    }


# --- schools ----------------------------------------------------------------------------------------------------


def _check_school(draft: SchoolDraft) -> SchoolDraft:
    draft.name = draft.name.strip()
    errors: dict[str, str] = {}
    if not draft.name:
        errors["name"] = "required"
    elif len(draft.name) > 128:
        errors["name"] = "too_long"
    if draft.level not in SCHOOL_LEVELS:
        errors["level"] = "invalid_choice"
    if errors:
        raise ValidationFailed(errors, params={"max": 128})
    return draft


async def list_schools(
    *, county_id: int | None = None, query: str = "", limit: int = 200, offset: int = 0
) -> Page[SchoolRecord]:
    conditions: list[Any] = []
    if county_id is not None:
        conditions.append(School.county == county_id)
    if query:
        conditions.append(School.name.like(f"%{query}%"))
    select = (
        School.select(*School.all_columns(), School.county.name.as_alias("county_name"))
        .order_by(School.county)
        .order_by(School.name)
        .limit(limit)
        .offset(offset)
    )
    count = School.count()
    for condition in conditions:
        select = select.where(condition)
        count = count.where(condition)
    items = [SchoolRecord.from_row(r) for r in await select]
    return Page(items=items, total=int(await count), limit=limit, offset=offset)


async def _school_row(school_id: int) -> dict[str, Any]:
    row = await School.select().where(School.id == school_id).first()
    if row is None:
        raise NotFound()
    return row


async def get_school(school_id: int) -> SchoolRecord:
    return SchoolRecord.from_row(await _school_row(school_id))


async def create_school(actor: Actor | None, draft: SchoolDraft) -> int:
    draft = _check_school(draft)
    async with db.transaction():
        await get_county(draft.county_id)
        if await School.exists().where((School.county == draft.county_id) & (School.name == draft.name)):
            raise Conflict("school_exists", fields={"name": "school_exists"})
        rows = await School.insert(School(county=draft.county_id, name=draft.name, level=draft.level))
        school_id = int(rows[0]["id"])
        await audit.record_change(actor, "school", school_id, None, asdict(draft))
    return school_id


async def update_school(actor: Actor | None, school_id: int, draft: SchoolDraft) -> None:
    draft = _check_school(draft)
    async with db.transaction():
        before = await _school_row(school_id)  # as stored, for the audit diff
        await get_county(draft.county_id)
        if await School.exists().where(
            (School.county == draft.county_id) & (School.name == draft.name) & (School.id != school_id)
        ):
            raise Conflict("school_exists", fields={"name": "school_exists"})
        await School.update(
            {School.county: draft.county_id, School.name: draft.name, School.level: draft.level}
        ).where(School.id == school_id)
        after = {**before, "county": draft.county_id, "name": draft.name, "level": draft.level}
        await audit.record_change(actor, "school", school_id, before, after)

"""Hosting's use cases: the cohorts a staff member may see, the import of host schools and mentors, the pairing
(automatic draft, manual choice) and the cohort's report. Every write is audited with the acting `Actor`.

Who sees what: organisers every exchange cohort; a host coordinator only the exchange cohorts whose host city is
its own (training_session.host_city = staff_user.host_city). Those cohorts' confirmed teachers are the teachers it
receives; the pairing offers only mentors of the cohort's host city, so a teacher paired with a Nantong school is
always in a Nantong cohort. Anyone else, and a host coordinator asking for another city's cohort, is refused."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from training import db
from training.audit import writer as audit
from training.certificates.candidates import attended_hours_by_enrollment
from training.core.actor import Actor
from training.enrollment.rosters import _cell as safe_cell
from training.errors import Forbidden, NotFound, ValidationFailed
from training.hosting import drafting, sql
from training.hosting.importing import BAND_TITLES, Checked
from training.hosting.states import PairingSource
from training.hosting.tables import HostSchool, Mentor, Pairing
from training.i18n import N_, register_messages

register_messages(
    {
        "not_your_cohort": N_("This cohort is hosted by another city."),
        "not_a_cohort_teacher": N_("This teacher is not a confirmed teacher of the cohort."),
        "mentor_elsewhere": N_("This mentor teaches in another host city."),
        "mentor_full": N_("This mentor already has {capacity} teachers of this cohort."),
    }
)


# --- who sees what ---------------------------------------------------------------------------------------------


async def visible_cohorts(actor: Actor) -> list[dict[str, Any]]:
    if actor.is_organiser:
        return await sql.cohorts(None)
    if actor.is_host and actor.host_city:
        return await sql.cohorts(actor.host_city)
    return []


async def cohort_for(actor: Actor, session_id: int) -> dict[str, Any]:
    """The exchange cohort if this staff member may see it: NotFound for no such cohort, Forbidden for another
    city's."""
    row = await sql.cohort(session_id)
    if row is None:
        raise NotFound()
    if not actor.may_see_host_city(row["host_city"]):
        raise Forbidden("not_your_cohort")
    return row


# --- host schools and mentors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportCounts:
    schools_added: int = 0
    schools_updated: int = 0
    mentors_added: int = 0
    mentors_updated: int = 0


async def schools_by_city() -> dict[str, list[dict[str, Any]]]:
    """city → its schools, each with its mentors."""
    result: dict[str, list[dict[str, Any]]] = {}
    by_id: dict[int, dict[str, Any]] = {}
    for row in await sql.schools():
        school = by_id.get(row["school_id"])
        if school is None:
            school = {
                "id": row["school_id"],
                "name": row["school"],
                "district": row["district"],
                "mentors": [],
            }
            by_id[row["school_id"]] = school
            result.setdefault(row["city"], []).append(school)
        if row["mentor_id"] is not None:
            school["mentors"].append(row)
    return result


async def import_schools(actor: Actor | None, checked: Checked, filename: str = "") -> ImportCounts:
    """Write every checked row in one transaction (a file with any row error is refused before this): a school
    is matched by (city, name), a mentor by (school, name); matched rows are updated, nothing is deleted."""
    if not checked.ok:
        raise ValidationFailed({"file": "validation_failed"})
    added_schools = updated_schools = added_mentors = updated_mentors = 0
    now = datetime.now(UTC)
    async with db.transaction():
        school_ids: dict[tuple[str, str], int] = {}
        for row in checked.rows:
            key = (row.city, row.school)
            if key not in school_ids:
                existing = (
                    await HostSchool.select(HostSchool.id, HostSchool.district)
                    .where((HostSchool.city == row.city) & (HostSchool.name == row.school))
                    .first()
                )
                if existing is None:
                    school_ids[key] = int(
                        (
                            await HostSchool.insert(
                                HostSchool(city=row.city, name=row.school, district=row.district)
                            )
                        )[0]["id"]
                    )
                    added_schools += 1
                else:
                    school_ids[key] = int(existing["id"])
                    if row.district and row.district != existing["district"]:
                        await HostSchool.update(
                            {HostSchool.district: row.district, HostSchool.updated_at: now}
                        ).where(HostSchool.id == existing["id"])
                        updated_schools += 1
            if not row.mentor:
                continue
            values: dict[str, Any] = {
                "subject": row.subject,
                "grade_band": row.grade_band,
                "capacity": row.capacity,
            }
            mentor = (
                await Mentor.select(Mentor.id, Mentor.subject, Mentor.grade_band, Mentor.capacity)
                .where((Mentor.school == school_ids[key]) & (Mentor.name == row.mentor))
                .first()
            )
            if mentor is None:
                await Mentor.insert(Mentor(school=school_ids[key], name=row.mentor, **values))
                added_mentors += 1
            elif any(mentor[k] != v for k, v in values.items()):
                await Mentor.update({**values, "updated_at": now}).where(Mentor.id == mentor["id"])  # type: ignore[dict-item]
                updated_mentors += 1
        counts = ImportCounts(added_schools, updated_schools, added_mentors, updated_mentors)
        await audit.record(
            actor,
            "import_host_schools",
            "host_school",
            None,
            {"file": filename[:128], "rows": len(checked.rows), **counts.__dict__},
        )
    return counts


# --- pairing ------------------------------------------------------------------------------------------------------


async def cohort_teachers(session_id: int) -> list[dict[str, Any]]:
    return await sql.teachers(session_id)


async def mentor_options(session_id: int, city: str) -> list[dict[str, Any]]:
    return await sql.mentors(session_id, city)


async def run_draft(actor: Actor, session_id: int) -> drafting.Draft:
    """Pair the cohort's teachers still without a mentor (drafting.draft_pairings); pairings already made stay.
    Audited: how many were paired and who was left unmatched."""
    cohort = await cohort_for(actor, session_id)
    async with db.transaction():
        teachers = await sql.teachers(session_id)
        mentors = await sql.mentors(session_id, cohort["host_city"])
        draft = drafting.draft_pairings(
            [
                drafting.TeacherNeed(int(t["enrollment_id"]), t["subject"] or "", t["grade_band"] or "")
                for t in teachers
                if t["pairing_id"] is None
            ],
            [
                drafting.MentorSlot(
                    int(m["mentor_id"]),
                    int(m["school_id"]),
                    m["subject"],
                    m["grade_band"],
                    int(m["capacity"]),
                    int(m["taken"]),
                )
                for m in mentors
            ],
        )
        now = datetime.now(UTC)
        if draft.matches:
            await Pairing.insert(
                *[
                    Pairing(
                        enrollment=m.enrollment_id,
                        mentor=m.mentor_id,
                        school=m.school_id,
                        source=PairingSource.DRAFT,
                        created_at=now,
                        updated_at=now,
                    )
                    for m in draft.matches
                ]
            )
        await audit.record(
            actor,
            "draft_pairings",
            "session",
            session_id,
            {
                "paired": len(draft.matches),
                "across_grade_bands": sum(1 for m in draft.matches if not m.same_band),
                "unmatched": draft.unmatched,
            },
        )
    return draft


async def set_pairing(actor: Actor, session_id: int, enrollment_id: int, mentor_id: int | None) -> None:
    """An organiser's choice for one teacher: a mentor of the cohort's host city with room, or none (the pairing
    is removed). Audited with the mentor before and after."""
    cohort = await cohort_for(actor, session_id)
    async with db.transaction():
        teacher = next(
            (t for t in await sql.teachers(session_id) if int(t["enrollment_id"]) == enrollment_id), None
        )
        if teacher is None:
            raise NotFound("not_a_cohort_teacher")
        before = teacher["mentor_id"]
        if mentor_id == before:
            return
        if mentor_id is None:
            await Pairing.delete().where(Pairing.enrollment == enrollment_id)
        else:
            mentor = next(
                (
                    m
                    for m in await sql.mentors(session_id, cohort["host_city"])
                    if int(m["mentor_id"]) == mentor_id
                ),
                None,
            )
            if mentor is None:
                raise ValidationFailed({"mentor": "mentor_elsewhere"})
            if int(mentor["taken"]) >= int(mentor["capacity"]):
                raise ValidationFailed({"mentor": "mentor_full"}, params={"capacity": mentor["capacity"]})
            await _upsert_pairing(enrollment_id, mentor_id, int(mentor["school_id"]))
        await audit.record(
            actor, "pair", "enrollment", enrollment_id, {"mentor": [before, mentor_id], "session": session_id}
        )


async def _upsert_pairing(enrollment_id: int, mentor_id: int, school_id: int) -> None:
    now = datetime.now(UTC)
    updated = (
        await Pairing.update(
            {
                Pairing.mentor: mentor_id,
                Pairing.school: school_id,
                Pairing.source: PairingSource.MANUAL,
                Pairing.updated_at: now,
            }
        )
        .where(Pairing.enrollment == enrollment_id)
        .returning(Pairing.id)
    )
    if not updated:
        await Pairing.insert(
            Pairing(
                enrollment=enrollment_id,
                mentor=mentor_id,
                school=school_id,
                source=PairingSource.MANUAL,
                created_at=now,
                updated_at=now,
            )
        )


# --- the cohort's report -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    enrollment_id: int
    name: str
    county: str
    school: str
    subject: str
    grade_band: str
    host_school: str
    mentor: str
    hours: float
    certificate: str


REPORT_HEADERS = ("姓名", "县", "学校", "学科", "学段", "跟岗学校", "导师", "学时", "证书编号")


async def report_rows(session_id: int) -> list[ReportRow]:
    """Who went (the cohort's confirmed teachers), from which county, host school and mentor, attended hours (the
    count certificates and the ledger share) and the valid certificate."""
    hours = await attended_hours_by_enrollment(session_id)
    certificates = await sql.certificates(session_id)
    return [
        ReportRow(
            enrollment_id=int(t["enrollment_id"]),
            name=t["name"] or "",
            county=t["county"] or "",
            school=t["school"] or "",
            subject=t["subject"] or "",
            grade_band=t["grade_band"] or "",
            host_school=t["host_school"] or "",
            mentor=t["mentor"] or "",
            hours=round(hours.get(int(t["enrollment_id"]), 0.0), 2),
            certificate=certificates.get(int(t["enrollment_id"]), ""),
        )
        for t in await sql.teachers(session_id)
    ]


async def report_xlsx(actor: Actor, session_id: int) -> tuple[str, bytes]:
    """The report as an XLSX file (filename, content); the download is audited."""
    from openpyxl import Workbook

    cohort = await cohort_for(actor, session_id)
    rows = await report_rows(session_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="名单")
    sheet.append([safe_cell(cohort["title"])])
    sheet.append(list(REPORT_HEADERS))
    for r in rows:
        sheet.append(
            [
                safe_cell(r.name),
                safe_cell(r.county),
                safe_cell(r.school),
                safe_cell(r.subject),
                BAND_TITLES.get(r.grade_band, r.grade_band),
                safe_cell(r.host_school),
                safe_cell(r.mentor),
                r.hours,
                r.certificate,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    await audit.record(
        actor, "download_cohort_report", "session", session_id, {"format": "xlsx", "rows": len(rows)}
    )
    return f"cohort-{session_id}-{date.today():%Y%m%d}.xlsx", buffer.getvalue()


def summary(rows: list[ReportRow]) -> dict[str, Any]:
    """Counts for the report's head: teachers, per county, paired, with a certificate, hours."""
    counties: dict[str, int] = {}
    for r in rows:
        counties[r.county] = counties.get(r.county, 0) + 1
    return {
        "teachers": len(rows),
        "counties": counties,
        "paired": sum(1 for r in rows if r.mentor),
        "certified": sum(1 for r in rows if r.certificate),
        "hours": round(sum(r.hours for r in rows), 2),
    }

"""A teacher's own hours across all years (her self-service page) and her 学时证明 (hours statement).

The statement is a snapshot like a certificate: the trainings, hours and certificate serials as they stood when
it was issued, under a random serial (HS-2026-7KXM2PQR) that `/verify` confirms. Asking again with nothing
changed hands out the same statement (same content hash) instead of a new number each time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from training import db, keys
from training.certificates.candidates import attended_hours_by_enrollment
from training.certificates.formatting import session_dates_text
from training.certificates.serials import make_verification_code
from training.certificates.states import VerificationStatus
from training.certificates.verifying import Verification
from training.core.clock import LOCAL_TZ
from training.core.links import make_link_token
from training.core.masking import mask_name
from training.enrollment.tables import Enrollment
from training.errors import NotFound
from training.ledger import sql
from training.ledger.records import IssuedStatement
from training.ledger.tables import HoursStatement
from training.people.requests import unproven_enrollment
from training.web.urls import path_for


@dataclass(frozen=True)
class Training:
    enrollment_id: int
    year: int
    title: str
    dates: str
    hours: float
    certificate: str  # valid certificate serial, "" if none
    download: str = ""  # the certificate's signed download path (her link for that enrollment)


@dataclass(frozen=True)
class History:
    teacher_id: int
    teacher_name: str
    trainings: list[Training]

    @property
    def total_hours(self) -> float:
        return round(sum(t.hours for t in self.trainings), 2)

    def by_year(self) -> list[tuple[int, float]]:
        years: dict[int, float] = {}
        for t in self.trainings:
            years[t.year] = round(years.get(t.year, 0.0) + t.hours, 2)
        return sorted(years.items())


async def history(enrollment_id: int) -> History:
    """Every confirmed training of the person behind this enrollment, all years, oldest first."""
    own = (
        await Enrollment.select(Enrollment.teacher, Enrollment.teacher.name)
        .where(Enrollment.id == enrollment_id)
        .first()
    )
    if own is None:
        raise NotFound()
    teacher_id = int(own["teacher"])
    # The link of a registration whose details were never proven went to whoever typed her ID number: it shows
    # that enrollment only, never her other trainings nor their links (docs/people.md).
    only = enrollment_id if await unproven_enrollment(enrollment_id) else None
    rows = await sql.teacher_trainings(teacher_id, only or 0)
    trainings = []
    for r in rows:
        hours = (await attended_hours_by_enrollment(int(r["session_id"]))).get(int(r["e_id"]), 0.0)
        if hours <= 0 and not r["certificate"]:
            continue
        starts_on, ends_on = r["starts_on"], r["ends_on"]
        trainings.append(
            Training(
                enrollment_id=int(r["e_id"]),
                year=int(r["year"]),
                title=r["title"],
                dates=session_dates_text(_date(starts_on), _date(ends_on)),
                hours=round(hours, 2),
                certificate=r["certificate"] or "",
                download=(
                    path_for(
                        "certificate_download",
                        filename=f"{r['certificate']}.pdf",
                        query={"t": make_link_token(keys.current().teacher_link, int(r["e_id"]))},
                    )
                    if r["certificate"]
                    else ""
                ),
            )
        )
    return History(teacher_id, own["teacher.name"], trainings)


def _date(value: Any) -> Any:
    from datetime import date

    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _content(h: History) -> list[dict[str, Any]]:
    return [
        {"year": t.year, "title": t.title, "dates": t.dates, "hours": t.hours, "certificate": t.certificate}
        for t in h.trainings
    ]


async def statement_for(enrollment_id: int) -> IssuedStatement:
    """The teacher's current hours statement: the last one if nothing changed since, else a new one."""
    h = await history(enrollment_id)
    content = _content(h)
    digest = hashlib.sha256(
        json.dumps([h.teacher_name, content], ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    async with db.transaction():
        existing = (
            await HoursStatement.select()
            .where((HoursStatement.teacher == h.teacher_id) & (HoursStatement.content_hash == digest))
            .first()
        )
        if existing is not None:
            return IssuedStatement.from_row(existing)
        serial = f"HS-{datetime.now(LOCAL_TZ).year}-{make_verification_code(8)}"
        row = HoursStatement(
            serial=serial,
            teacher=h.teacher_id,
            teacher_name=h.teacher_name[:64],
            total_hours=h.total_hours,
            rows=json.dumps(content, ensure_ascii=False),
            content_hash=digest,
            issued_at=datetime.now(UTC),
        )
        await row.save()
    created = await HoursStatement.select().where(HoursStatement.serial == serial).first()
    assert created is not None
    return IssuedStatement.from_row(created)


async def verify_statement(serial: str) -> Verification | None:
    """What /verify says about an hours statement: the masked name, the trainings' span and the total."""
    if not serial.startswith("HS-"):
        return None
    row = await HoursStatement.select().where(HoursStatement.serial == serial).first()
    if row is None:
        return None
    statement = IssuedStatement.from_row(row)
    years = sorted({line.year for line in statement.lines})
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else (f"{years[0]}年" if years else "")
    return Verification(
        status=VerificationStatus.VALID,
        serial=statement.serial,
        masked_name=mask_name(statement.teacher_name),
        session_title=f"学时证明（{len(statement.lines)} 期培训）",
        session_dates=span,
        hours=statement.total_hours,
    )

"""Read models of the scheduling domain besides `Session` (sessions.py): a programme, a county's quota line, a
timetable block. Frozen, slotted dataclasses with the stored columns under their column names, so templates read
`b.topic` and the code gets types; `as_dict()` gives the plain mapping audit diffs and mappings-based callers take.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from training.programmes.states import CertificateLayout, HalfDay, ProgrammeKind


@dataclass(frozen=True, slots=True)
class ProgrammeInfo:
    """A programme: the summer sessions (暑期教师培训班), the Jiangsu exchange cohorts (彩虹行动), ..."""

    id: int
    slug: str
    name: str
    name_en: str
    kind: ProgrammeKind
    description: str
    certificate_layout: CertificateLayout
    certificate_background: str
    certificate_seal: str
    created_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ProgrammeInfo:
        return cls(
            id=int(row["id"]),
            slug=row["slug"],
            name=row["name"],
            name_en=row["name_en"],
            kind=ProgrammeKind(row["kind"]),
            description=row["description"],
            certificate_layout=CertificateLayout(row["certificate_layout"]),
            certificate_background=row["certificate_background"],
            certificate_seal=row["certificate_seal"],
            created_at=row["created_at"],
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class QuotaLine:
    """An eligible county of a session: its reserved seats (None: eligible, none reserved) and the seats its
    teachers hold now."""

    id: int
    county: int  # the county's id
    county_code: str
    county_name: str
    province: str
    quota: int | None
    seats_held: int


@dataclass(frozen=True, slots=True)
class TimetableBlock:
    """One block of a session's timetable (a morning, afternoon or evening of one day)."""

    id: int
    session: int  # the session's id
    day: date
    half_day: HalfDay
    starts_at: time
    ends_at: time
    topic: str
    instructor: str
    room: str
    hours: float
    cancelled: bool
    checkin_before_minutes: int = 30  # the check-in window (training/checkin/corrections.py sets it)
    checkin_after_minutes: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TimetableBlock:
        return cls(
            id=int(row["id"]),
            session=int(row["session"]),
            day=row["day"],
            half_day=HalfDay(row["half_day"]),
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            topic=row["topic"],
            instructor=row["instructor"],
            room=row["room"],
            hours=float(row["hours"]),
            cancelled=bool(row["cancelled"]),
            checkin_before_minutes=int(row.get("checkin_before_minutes", 30)),
            checkin_after_minutes=int(row.get("checkin_after_minutes", 0)),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

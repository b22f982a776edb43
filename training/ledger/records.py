"""The 学时证明 (hours statement) as the ledger hands it out: a frozen snapshot, never a row dict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One training on a statement, as printed."""

    year: int
    title: str
    dates: str
    hours: float
    certificate: str  # valid certificate serial, "" if none

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "title": self.title,
            "dates": self.dates,
            "hours": self.hours,
            "certificate": self.certificate,
        }


@dataclass(frozen=True, slots=True)
class IssuedStatement:
    serial: str
    teacher_id: int
    teacher_name: str
    total_hours: float
    lines: tuple[StatementLine, ...]
    issued_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> IssuedStatement:
        issued = row["issued_at"]
        if isinstance(issued, str):
            issued = datetime.fromisoformat(issued)
        if issued.tzinfo is None:
            issued = issued.replace(tzinfo=UTC)
        return cls(
            serial=row["serial"],
            teacher_id=int(row["teacher"]),
            teacher_name=row["teacher_name"],
            total_hours=float(row["total_hours"]),
            lines=tuple(
                StatementLine(
                    year=int(r["year"]),
                    title=r["title"],
                    dates=r["dates"],
                    hours=float(r["hours"]),
                    certificate=r["certificate"] or "",
                )
                for r in json.loads(row["rows"])
            ),
            issued_at=issued,
        )

"""The stored certificate as the rest of the system reads it: a frozen snapshot, never a row dict."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from training.certificates.states import VerificationStatus
from training.certificates.tables import Certificate
from training.errors import NotFound


def _moment(value: Any) -> datetime | None:
    """Timestamps as aware datetimes on both engines (SQLite may hand back ISO strings)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """One certificate as issued (its latest revision): what the PDF, /verify and the ledger print."""

    id: int
    enrollment: int
    session: int
    seq: int
    serial: str
    verification_code: str
    teacher_name: str
    county_name: str
    school_name: str
    session_title: str
    session_dates: str
    hours: float
    revision: int = 1
    file_path: str = ""  # "" = claimed, still to render and record
    issued_at: datetime | None = None
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    reissued_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CertificateRecord:
        return cls(
            id=int(row["id"]),
            enrollment=int(row["enrollment"]),
            session=int(row["session"]),
            seq=int(row["seq"]),
            serial=row["serial"],
            verification_code=row["verification_code"],
            teacher_name=row["teacher_name"],
            county_name=row["county_name"] or "",
            school_name=row["school_name"] or "",
            session_title=row["session_title"],
            session_dates=row["session_dates"],
            hours=float(row["hours"]),
            revision=int(row.get("revision") or 1),
            file_path=row.get("file_path") or "",
            issued_at=_moment(row.get("issued_at")),
            revoked_at=_moment(row.get("revoked_at")),
            revoke_reason=row.get("revoke_reason") or "",
            reissued_at=_moment(row.get("reissued_at")),
        )

    @property
    def status(self) -> VerificationStatus:
        return VerificationStatus.REVOKED if self.revoked_at is not None else VerificationStatus.VALID

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def rendered(self) -> bool:
        return bool(self.file_path)

    def with_changes(self, **changes: Any) -> CertificateRecord:
        return replace(self, **changes)


async def find_by_serial(serial: str) -> CertificateRecord | None:
    row = await Certificate.select().where(Certificate.serial == serial).first()
    return None if row is None else CertificateRecord.from_row(row)


async def certificate_by_serial(serial: str) -> CertificateRecord:
    """The certificate with this serial; NotFound if none."""
    cert = await find_by_serial(serial)
    if cert is None:
        raise NotFound()
    return cert

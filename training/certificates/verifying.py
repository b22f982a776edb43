"""Public verification of a serial, and the teacher's own look-ups through her signed link."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from training import keys
from training.certificates.records import CertificateRecord, find_by_serial
from training.certificates.states import VerificationStatus
from training.certificates.tables import Certificate
from training.core.links import make_link_token, read_link_token
from training.core.masking import mask_name
from training.enrollment.sections import SelfServiceSection
from training.enrollment.self_service import EnrollmentView
from training.enrollment.tables import Enrollment
from training.errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class Verification:
    """What the public may learn about a serial: nothing beyond this."""

    status: VerificationStatus
    serial: str
    masked_name: str = ""
    session_title: str = ""
    session_dates: str = ""
    hours: float | None = None

    def to_json(self) -> dict[str, Any]:
        if self.status is VerificationStatus.UNKNOWN:
            return {"status": self.status, "serial": self.serial}
        return {
            "status": self.status,
            "serial": self.serial,
            "name": self.masked_name,
            "session": self.session_title,
            "dates": self.session_dates,
            "hours": self.hours,
        }


# Other documents /verify confirms by serial (the 学时证明 of training/ledger), registered by their domain so
# that certificates need not know them.
OTHER_DOCUMENTS: list[Callable[[str], Awaitable[Verification | None]]] = []

# Checks before a teacher's own download, registered by training/wiring.py for the domains that set one (the
# evaluation survey): (enrollment id, her link token) → the path she must visit first, or None.
DownloadCheck = Callable[[int, str], Awaitable[str | None]]
DOWNLOAD_CHECKS: list[DownloadCheck] = []


def register_download_check(check: DownloadCheck) -> None:
    if check not in DOWNLOAD_CHECKS:
        DOWNLOAD_CHECKS.append(check)


async def download_waits(enrollment_id: int) -> bool:
    """Does a registered check hold her download back for now (the certificate email then carries the link,
    not the PDF)?"""
    token = make_link_token(keys.current().teacher_link, enrollment_id)
    for check in DOWNLOAD_CHECKS:
        if await check(enrollment_id, token):
            return True
    return False


async def verify(serial: str) -> Verification:
    serial = unicodedata.normalize("NFKC", serial).strip()[:32]  # typed on a phone in full-width mode
    cert = (
        await Certificate.select(
            Certificate.serial,
            Certificate.teacher_name,
            Certificate.session_title,
            Certificate.session_dates,
            Certificate.hours,
            Certificate.revoked_at,
        )
        .where(Certificate.serial == serial)
        .first()
    )
    if cert is None:
        for other in OTHER_DOCUMENTS:
            found = await other(serial)
            if found is not None:
                return found
        return Verification(VerificationStatus.UNKNOWN, serial)
    return Verification(
        status=VerificationStatus.REVOKED if cert["revoked_at"] is not None else VerificationStatus.VALID,
        serial=cert["serial"],
        masked_name=mask_name(cert["teacher_name"]),
        session_title=cert["session_title"],
        session_dates=cert["session_dates"],
        hours=float(cert["hours"]),
    )


async def certificate_for_download(serial: str, token: str) -> CertificateRecord:
    """The certificate a signed teacher link points at; NotFound for a wrong/expired token or serial."""
    enrollment_id = read_link_token(keys.current().teacher_link, token)
    if enrollment_id is None:
        raise NotFound()
    cert = await find_by_serial(serial)
    if cert is None or cert.enrollment != enrollment_id:
        raise NotFound()
    owner = await Enrollment.select(Enrollment.teacher.erased).where(Enrollment.id == enrollment_id).first()
    if owner is None or owner["teacher.erased"]:  # her link went with her personal data
        raise NotFound()
    if cert.revoked:
        raise Conflict("certificate_revoked")
    return cert


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """A teacher's valid certificate as her self-service page lists it."""

    serial: str
    session_title: str
    hours: float


async def certificates_of_enrollment(enrollment_id: int) -> list[HeldCertificate]:
    """For teacher self-service: the (non-revoked) certificate of an enrollment, if any."""
    rows = await Certificate.select(Certificate.serial, Certificate.session_title, Certificate.hours).where(
        (Certificate.enrollment == enrollment_id) & Certificate.revoked_at.is_null()
    )
    return [HeldCertificate(r["serial"], r["session_title"], float(r["hours"])) for r in rows]


async def _certificate_section(view: EnrollmentView) -> dict[str, Any] | None:
    held = await certificates_of_enrollment(view.id)
    return {"certificates": held} if held else None


# The teacher's /me page: her certificate with its download (registered by training/wiring.py).
SELF_SERVICE_SECTION = SelfServiceSection(
    "certificate", 10, "certificates/_me_certificate.html", _certificate_section
)

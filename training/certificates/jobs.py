"""From a stored certificate to what the renderer needs (a RenderJob: plain data) and where its files live."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from training import keys
from training.certificates.design import Artwork, CertificateData
from training.certificates.records import CertificateRecord
from training.certificates.render import RenderJob
from training.certificates.states import Design
from training.config import Settings
from training.core.clock import LOCAL_TZ as LOCAL
from training.core.links import make_link_token
from training.programmes.models import ProgrammeInfo
from training.programmes.states import CertificateLayout, ProgrammeKind
from training.web.urls import absolute_url


def artwork_for(programme: ProgrammeInfo, settings: Settings) -> Artwork:
    def resolve(stored: str) -> str:
        return str(settings.data_dir / stored) if stored else ""

    return Artwork(
        layout=CertificateLayout.PORTRAIT
        if programme.certificate_layout == CertificateLayout.PORTRAIT
        else CertificateLayout.LANDSCAPE,
        variant=Design.EXCHANGE if programme.kind == ProgrammeKind.EXCHANGE else Design.SUMMER,
        programme_name=programme.name,
        organisation=settings.organisation_name,
        background_path=resolve(programme.certificate_background),
        seal_path=resolve(programme.certificate_seal),
    )


def verify_url(settings: Settings, serial: str) -> str:
    return absolute_url(settings.base_url, "verify_page", serial=serial)


def download_url(settings: Settings, serial: str, enrollment_id: int) -> str:
    """The teacher's signed link to their PDF (no password; the token names the enrollment)."""
    token = make_link_token(keys.current().teacher_link, enrollment_id)
    return absolute_url(
        settings.base_url, "certificate_download", filename=f"{serial}.pdf", query={"t": token}
    )


def file_name(session_id: int, serial: str, revision: int, suffix: str) -> str:
    """A revision's file under the data dir: each revision has its own (the mail's attachment stays true)."""
    return f"certificates/{session_id}/{serial}-r{revision}.{suffix}"


def relative_file(cert: CertificateRecord, suffix: str) -> str:
    return file_name(cert.session, cert.serial, cert.revision, suffix)


def file_of(cert: CertificateRecord, settings: Settings, suffix: str = "pdf") -> Path:
    return settings.data_dir / relative_file(cert, suffix)


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL).date()


def render_job_for(
    cert: CertificateRecord, artwork: Artwork, settings: Settings, *, preview: bool = False
) -> RenderJob:
    issued_at = cert.issued_at or datetime.now(UTC)
    data = CertificateData(
        serial=cert.serial,
        verification_code=cert.verification_code,
        teacher_name=cert.teacher_name,
        county_name=cert.county_name,
        school_name=cert.school_name,
        session_title=cert.session_title,
        session_dates=cert.session_dates,
        hours=float(cert.hours),
        issued_on=_local_date(cert.reissued_at or issued_at),
        verify_url=verify_url(settings, cert.serial),
    )
    return RenderJob(
        data=data,
        artwork=artwork,
        pdf_path=str(settings.data_dir / relative_file(cert, "pdf")),
        png_path=str(settings.data_dir / relative_file(cert, "png")) if preview else "",
    )

"""A programme's certificate look: the organiser's background and seal images, the layout, a sample preview."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime

from piccolo.columns import Varchar

from training import db
from training.audit.writer import record as audit
from training.certificates.design import CertificateData, draw_certificate
from training.certificates.formatting import session_dates_text
from training.certificates.jobs import artwork_for, verify_url
from training.certificates.render import encode_preview
from training.certificates.states import ArtworkKind
from training.certificates.uploads import ArtworkError, normalise_upload
from training.config import Settings
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ as LOCAL
from training.errors import NotFound, ValidationFailed
from training.programmes.service import get_programme
from training.programmes.sessions import list_sessions
from training.programmes.states import CertificateLayout
from training.programmes.tables import Programme


def _column(kind: ArtworkKind) -> Varchar:
    return Programme.certificate_background if kind == ArtworkKind.BACKGROUND else Programme.certificate_seal


async def store_artwork(
    programme_id: int, kind: str, payload: bytes, settings: Settings, actor: Actor | None
) -> str:
    """Validate and store an organiser's background or seal image for a programme (audited)."""
    if kind not in tuple(ArtworkKind):
        raise ValidationFailed({"kind": "invalid_choice"})
    try:
        png = normalise_upload(payload, ArtworkKind(kind))
    except ArtworkError as exc:
        raise ValidationFailed({kind: exc.code}) from None
    programme = await Programme.select(Programme.id).where(Programme.id == programme_id).first()
    if programme is None:
        raise NotFound()
    # The content hash in the name keeps per-process render caches honest when an image is replaced.
    relative = f"programmes/{programme_id}/{kind}-{hashlib.sha256(png).hexdigest()[:12]}.png"
    target = settings.data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    async with db.transaction():
        await Programme.update({_column(ArtworkKind(kind)): relative}).where(Programme.id == programme_id)
        await audit(actor, "update", "programme", programme_id, {f"certificate_{kind}": relative})
    return relative


async def remove_artwork(programme_id: int, kind: ArtworkKind, actor: Actor | None) -> None:
    async with db.transaction():
        await Programme.update({_column(kind): ""}).where(Programme.id == programme_id)
        await audit(actor, "update", "programme", programme_id, {f"certificate_{kind}": ""})


async def set_layout(programme_id: int, layout: str, actor: Actor | None) -> None:
    if layout not in tuple(CertificateLayout):
        raise ValidationFailed({"layout": "invalid_choice"})
    async with db.transaction():
        programme = (
            await Programme.select(Programme.certificate_layout).where(Programme.id == programme_id).first()
        )
        if programme is None:
            raise NotFound()
        await Programme.update({Programme.certificate_layout: layout}).where(Programme.id == programme_id)
        await audit(
            actor,
            "update",
            "programme",
            programme_id,
            {"certificate_layout": [programme["certificate_layout"], layout]},
        )


async def sample_preview(programme_id: int, settings: Settings) -> bytes:
    """A PNG preview of the programme's certificate with sample data, to check layout and artwork before issuing."""
    programme = await get_programme(programme_id)
    latest = (await list_sessions(programme_id=programme_id, limit=1)).items
    session = latest[0] if latest else None
    data = CertificateData(
        serial="2019-0000-0000",
        verification_code="SAMPLE23",
        teacher_name="张三梅",
        county_name="剑阁县",
        school_name="剑阁县实验小学",
        session_title=session.title if session else programme.name,
        session_dates=session_dates_text(session.starts_on, session.ends_on)
        if session
        else "2019年7月15日至7月18日",
        hours=24.0,
        issued_on=datetime.now(LOCAL).date(),
        verify_url=verify_url(settings, "2019-0000-0000"),
    )
    artwork = artwork_for(programme, settings)
    return await asyncio.to_thread(lambda: encode_preview(draw_certificate(data, artwork)))

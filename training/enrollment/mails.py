"""The emails this domain sends: rendered in Chinese from templates, queued in the caller's transaction."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from training import i18n
from training.core.codes import display_manual_code
from training.core.links import self_service_url
from training.enrollment.qr import token_for
from training.i18n import N_
from training.mail.outbox import Attachment, enqueue
from training.notify.texts import enrollment_sms
from training.programmes.ics import session_ics
from training.programmes.tables import Block
from training.rendering.templates import render_standalone
from training.sms import enqueue_sms
from training.sms import state as sms_state
from training.web.urls import absolute_url

QR_CID = "qr-code"

SUBJECTS = {
    "confirmation": N_("Registration confirmed: {title}"),
    "promotion": N_("A seat is yours: {title}"),
    "waitlisted": N_("You are on the waiting list: {title}"),
    "pending": N_("Registration received: {title}"),
    "rejected": N_("Registration not accepted: {title}"),
}


@dataclass(frozen=True)
class MailContext:
    enrollment_id: int
    manual_code: str
    teacher_name: str
    email: str
    session: dict[str, Any]
    base_url: str
    phone: str = ""  # plaintext mobile (in memory only): the SMS copy of an essential message goes here
    qr_nonce: str = ""  # the enrollment's token_nonce: which generation of its QR code is valid


async def calendar_file(session: dict[str, Any], base_url: str) -> bytes:
    """The session's timetable as an .ics (scheduling's builder): one event per block, or the whole dates."""
    blocks = await Block.select().where(Block.session == session["id"])
    host = base_url.split("//", 1)[-1].split("/", 1)[0].split(":")[0] or "training.local"
    return session_ics(
        session, blocks, uid_domain=host, url=absolute_url(base_url, "enrollment_sessions")
    ).encode()


@dataclass(frozen=True)
class Prepared:
    """A rendered email, ready to be queued (rendering can happen before a lock is taken, queueing after)."""

    kind: str
    to: str
    subject: str
    text: str
    html: str
    attachments: list[Attachment]
    dedupe_key: str | None
    enrollment_id: int
    sms_text: str = ""  # the SMS copy (training/notify/texts.py), when SMS works for this teacher
    phone: str = ""


async def prepare(
    kind: str, ctx: MailContext, qr_png: bytes | None = None, *, fresh: bool = False, ics: bytes | None = None
) -> Prepared | None:
    """Render one email of `kind`; confirmation and promotion mails carry the QR (inline and attached) and an .ics.
    fresh: the enrollment was created in this transaction, so no earlier message can exist (skips the dedupe look-up).
    ics: the calendar file if the caller has it already (registration caches it per session)."""
    dedupe_key = None if fresh else f"enrollment:{kind}:{ctx.enrollment_id}"
    # Essential: on every channel that works (training/notify/channels.py), so e-mail is optional with SMS.
    sms_text = (
        enrollment_sms(kind, ctx.teacher_name, ctx.session, ctx.base_url, ctx.enrollment_id)
        if ctx.phone and sms_state.enabled()
        else ""
    )
    if not ctx.email:
        if not sms_text:
            return None
        return Prepared(kind, "", "", "", "", [], dedupe_key, ctx.enrollment_id, sms_text, ctx.phone)
    with_qr = kind in ("confirmation", "promotion")
    context = {
        "name": ctx.teacher_name,
        "manual_code": display_manual_code(ctx.manual_code),
        "link": self_service_url(ctx.base_url, ctx.enrollment_id),
    }
    with i18n.language("zh_Hans"):
        subject = i18n._(SUBJECTS[kind], title=ctx.session["title"])
        text, html = _render(kind, with_qr, ctx.session)
    text, html = _fill(text, html, context)
    attachments: list[Attachment] = []
    if with_qr:
        # Without a drawn image, the worker draws the QR when it sends (no pixels in the request or the row).
        png, qr_text = (qr_png, "") if qr_png else (b"", token_for(ctx.enrollment_id, ctx.qr_nonce))
        code = ctx.manual_code
        attachments = [
            Attachment(f"qr-{code}.png", "image/png", png, inline_cid=QR_CID, qr_text=qr_text),
            Attachment(f"签到二维码-{code}.png", "image/png", png, qr_text=qr_text),
            Attachment(
                "training.ics",
                "text/calendar",
                ics if ics is not None else await calendar_file(ctx.session, ctx.base_url),
            ),
        ]
    return Prepared(
        kind,
        ctx.email,
        subject,
        text,
        html,
        attachments,
        dedupe_key,
        ctx.enrollment_id,
        sms_text,
        ctx.phone,
    )


# Rendering both templates cost ~0.4 ms, on every registration of a rush (bench/enroll_rush.py). They are
# rendered once per (kind, session) with markers where the person's values go, and each email fills the markers
# in one pass (so a value that happens to look like a marker is never expanded): escaped in the HTML part,
# as they are in the template, verbatim in the text part.
_MARKER = re.compile("\ue000(name|manual_code|link)\ue001")
_RENDERED: OrderedDict[tuple[Any, ...], tuple[str, str]] = OrderedDict()
_RENDERED_MAX = 64


def _render(kind: str, with_qr: bool, session: dict[str, Any]) -> tuple[str, str]:
    key = (kind, with_qr, tuple(sorted((k, repr(v)) for k, v in session.items())))
    cached = _RENDERED.get(key)
    if cached is not None:
        return cached
    context = {
        "kind": kind,
        "session": session,
        "token": "yes" if with_qr else "",  # only tested for truth: the QR travels as an attachment
        "qr_cid": QR_CID,
        **{name: f"\ue000{name}\ue001" for name in ("name", "manual_code", "link")},
    }
    rendered = (
        render_standalone("enrollment/mail.txt", context),
        render_standalone("enrollment/mail.html", context),
    )
    _RENDERED[key] = rendered
    while len(_RENDERED) > _RENDERED_MAX:
        _RENDERED.popitem(last=False)
    return rendered


def _fill(text: str, html: str, values: dict[str, str]) -> tuple[str, str]:
    return (
        _MARKER.sub(lambda m: values[m.group(1)], text),
        _MARKER.sub(lambda m: str(escape(values[m.group(1)])), html),
    )


async def put(prepared: Prepared | None) -> int | None:
    """Queue a prepared email (and its SMS copy) in the caller's transaction; returns the email's id."""
    if prepared is None:
        return None
    if prepared.sms_text:
        await enqueue_sms(
            prepared.phone,
            prepared.sms_text,
            kind=prepared.kind,
            dedupe_key=prepared.dedupe_key,
            enrollment_id=prepared.enrollment_id,
        )
    if not prepared.to:
        return None
    return await enqueue(
        prepared.to,
        prepared.subject,
        prepared.text,
        prepared.html,
        prepared.attachments,
        kind=prepared.kind,
        dedupe_key=prepared.dedupe_key,
        enrollment_id=prepared.enrollment_id,
    )


async def queue(
    kind: str, ctx: MailContext, qr_png: bytes | None = None, *, fresh: bool = False, ics: bytes | None = None
) -> int | None:
    """Render and queue one email in the caller's transaction."""
    return await put(await prepare(kind, ctx, qr_png, fresh=fresh, ics=ics))

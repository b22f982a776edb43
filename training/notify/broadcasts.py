"""Broadcasts: an organiser (any county) or a county coordinator (her own county only) writes to the confirmed
teachers of a session, its waiting list, or the absentees of one of its blocks, or to the confirmed teachers of a
county in every session that has not ended (each teacher once); she previews the text and how many get it on which
channel, then sends. A broadcast is not essential: preferred channel, opt-outs respected.
Rate limited per sender (BROADCASTS_PER_HOUR, counted from the audit log) and audited with its counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from training import db, i18n
from training.audit.writer import record as audit_record
from training.core.actor import Actor
from training.core.clock import local_today
from training.core.links import self_service_url
from training.errors import Conflict, Forbidden, ValidationFailed
from training.i18n import N_, register_messages
from training.notify import service
from training.notify.channels import channels_for
from training.notify.states import BroadcastTarget
from training.notify.texts import link_for, shape
from training.sms import state as sms_state

if TYPE_CHECKING:
    from training.programmes.sessions import Session

TARGETS = tuple(BroadcastTarget)
MAX_TEXT = 300
BROADCASTS_PER_HOUR = 5
CHUNK = 200
SUBJECT = N_("Message from the organisers: {title}")

register_messages(
    {"broadcast_rate_limited": N_("Too many broadcasts in the last hour; please wait a while.")}
)


@dataclass(frozen=True)
class Target:
    session_id: int
    kind: str  # a BroadcastTarget
    county_id: int | None = None  # forced to her own county for a coordinator
    block_id: int | None = None  # absentees of this block


def scoped(principal: Actor, target: Target) -> Target:
    """A coordinator reaches her own county and nothing else, whatever the form said."""
    if principal.is_organiser:
        return target
    return Target(target.session_id, target.kind, principal.county_id or -1, target.block_id)


def validate(kind: str, text: str, block_id: int | None) -> dict[str, str]:
    errors = {}
    if kind not in TARGETS:
        errors["target"] = "invalid_choice"
    if kind == BroadcastTarget.ABSENTEES and not block_id:
        errors["block"] = "required"
    if not text.strip():
        errors["text"] = "required"
    elif len(text) > MAX_TEXT:
        errors["text"] = "too_long"
    return errors


async def recipients(target: Target) -> list[service.Recipient]:
    where = 'e."session" = {} AND e."status" = {}'
    args: list[Any] = [
        target.session_id,
        "waitlisted" if target.kind == BroadcastTarget.WAITING else "confirmed",
    ]
    if target.county_id is not None:
        where += ' AND e."county" = {}'
        args.append(target.county_id)
    if target.kind == BroadcastTarget.ABSENTEES:
        where += (
            ' AND NOT EXISTS (SELECT 1 FROM "check_in" c WHERE c."enrollment" = e."id" AND c."block" = {}'
            ' AND c."voided_at" IS NULL)'
        )
        args.append(target.block_id)
    return await service.recipients(where, *args)


def _message(title: str, text: str, r: service.Recipient, base_url: str) -> service.Message:
    with i18n.language("zh_Hans"):
        subject = i18n._(SUBJECT, title=title)
    body = text.strip()
    return service.Message(
        kind="broadcast",
        subject=subject,
        email_text=f"{body}\n\n{self_service_url(base_url, r.enrollment_id)}\n",
        sms_text=shape(body, link_for(base_url, r.enrollment_id)),
    )


@dataclass(frozen=True)
class Preview:
    total: int
    by_channel: dict[str, int]  # sms / email / none (opted out or unreachable)
    sms_text: str


def _preview(audience: list[service.Recipient], title: str, text: str, base_url: str) -> Preview:
    counts: Counter[str] = Counter()
    for r in audience:
        for channel in channels_for("broadcast", r.contact, sms_state.enabled()) or ("none",):
            counts[channel] += 1
    sample = _message(title, text, audience[0], base_url).sms_text if audience else shape(text.strip())
    return Preview(len(audience), dict(counts), sample)


async def preview(session: Session, target: Target, text: str, base_url: str) -> Preview:
    return _preview(await recipients(target), session.title, text, base_url)


async def _recent(principal: Actor) -> int:
    rows = await db.fetch(
        'SELECT COUNT(*) AS n FROM "audit_entry" WHERE "actor_id" = {} AND "action" = {} AND "at" > {}',
        principal.user_id,
        "broadcast",
        datetime.now(UTC) - timedelta(hours=1),
    )
    return int(rows[0]["n"])


async def _queue(
    principal: Actor,
    audience: list[service.Recipient],
    message_for: Callable[[service.Recipient], service.Message],
    entity: tuple[str, int],
    details: dict[str, Any],
) -> int:
    """Queue one message per recipient in transactions of CHUNK, then audit the broadcast with its counts."""
    by_channel: Counter[str] = Counter()
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    for start in range(0, len(audience), CHUNK):
        async with db.transaction():
            for r in audience[start : start + CHUNK]:
                chosen = await service.send(
                    r, message_for(r), dedupe_key=f"broadcast:{stamp}:{r.enrollment_id}"
                )
                for channel in chosen or ("none",):
                    by_channel[channel] += 1
    async with db.transaction():
        await audit_record(
            principal,
            "broadcast",
            *entity,
            {**details, "recipients": len(audience), "by_channel": dict(by_channel)},
        )
    return len(audience)


async def _admit(principal: Actor, kind: str, text: str, block_id: int | None) -> None:
    errors = validate(kind, text, block_id)
    if errors:
        raise ValidationFailed(errors)
    if await _recent(principal) >= BROADCASTS_PER_HOUR:
        raise Conflict("broadcast_rate_limited")


async def send(principal: Actor, session: Session, target: Target, text: str, base_url: str) -> int:
    await _admit(principal, target.kind, text, target.block_id)
    return await _queue(
        principal,
        await recipients(target),
        lambda r: _message(session.title, text, r, base_url),
        ("session", target.session_id),
        {
            "target": target.kind,
            "county": target.county_id,
            "block": target.block_id,
            "text": text.strip()[:MAX_TEXT],
        },
    )


# --- a county across its sessions ---------------------------------------------------------------------------------


def county_of(principal: Actor, asked: int | None) -> int:
    """The county a broadcast may reach: an organiser names any; a coordinator reaches her own and is refused
    another, whatever the form says."""
    if principal.is_organiser:
        if asked is None:
            raise ValidationFailed({"county": "required"})
        return asked
    if principal.county_id is None or (asked is not None and asked != principal.county_id):
        raise Forbidden()
    return principal.county_id


async def county_recipients(county_id: int) -> list[service.Recipient]:
    """The confirmed teachers of the county in every session that has not ended, each teacher once (her
    earliest enrollment: its self-service link goes with the message)."""
    audience = await service.recipients(
        'e."county" = {} AND e."status" = {} AND e."session" IN '
        '(SELECT s."id" FROM "training_session" s WHERE s."ends_on" >= {})',
        county_id,
        "confirmed",
        local_today(),
    )
    seen: set[int] = set()
    once = []
    for r in audience:
        if r.teacher_id not in seen:
            seen.add(r.teacher_id)
            once.append(r)
    return once


async def preview_county(county_id: int, county_name: str, text: str, base_url: str) -> Preview:
    return _preview(await county_recipients(county_id), county_name, text, base_url)


async def send_county(principal: Actor, county_id: int, county_name: str, text: str, base_url: str) -> int:
    await _admit(principal, BroadcastTarget.SESSION, text, None)
    return await _queue(
        principal,
        await county_recipients(county_id),
        lambda r: _message(county_name, text, r, base_url),
        ("county", county_id),
        {"target": "county", "county": county_id, "text": text.strip()[:MAX_TEXT]},
    )

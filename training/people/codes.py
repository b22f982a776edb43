"""One-time codes that prove a contact: six digits, only a keyed hash kept, valid ten minutes, five attempts,
a few sends per teacher per hour. E-mail codes go through the durable mail outbox, phone codes through the SMS
outbox (training/sms) when a provider is configured (docs/people.md)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from training import db, keys, ratelimit
from training.core.masking import mask_phone
from training.crypto import keyed_hash
from training.errors import DomainError
from training.i18n import N_, _, language
from training.mail.outbox import enqueue
from training.mail.redact import mask_email
from training.people.states import CodeChannel, CodePurpose
from training.people.tables import TeacherContactCode
from training.sms import enqueue_sms

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
SENDS_PER_HOUR = 5


class CodeRefused(DomainError):
    status = 400


def sms_available(settings: Any) -> bool:
    """Whether a code can reach a phone: an SMS provider is configured (with `none` SMS are queued but never
    leave, so a new mobile number is then changed by the organisers)."""
    return bool(settings.sms_enabled)


def _hash(code: str, nonce: str) -> str:
    return nonce + "$" + keyed_hash(keys.current().id_hash, f"one-time-code:{nonce}:{code}")


def _matches(code: str, stored: str) -> bool:
    nonce, _, _digest = stored.partition("$")
    return hmac.compare_digest(_hash(code.strip(), nonce), stored)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


MAIL_SUBJECT = N_("Your confirmation code: {code}")
MAIL_TEXT = N_(
    "Your confirmation code is {code}. It is valid for 10 minutes.\n\n"
    "It confirms a change to your details in the teacher-training programme. If you did not ask for it, "
    "do nothing: your details stay as they are."
)
SMS_TEXT = N_("Confirmation code {code} (valid 10 minutes) for a change to your teacher-training details.")


@dataclass(frozen=True, slots=True)
class Sent:
    code_id: int
    channel: str
    target_masked: str


async def send(
    teacher_id: int,
    purpose: str,
    *,
    email: str = "",
    phone: str = "",
    new_value: str = "",
    change_request: int | None = None,
    sms: bool = False,
    now: datetime | None = None,
) -> Sent:
    """Create a code and queue it to `email` (preferred) or `phone`. new_value: the new contact being proven
    (purpose phone/email), kept encrypted until the code is entered. sms: whether SMS can be sent
    (sms_available). Rate limited per teacher."""
    if not email and not phone:
        raise CodeRefused("code_no_contact")
    if not email and not sms:
        raise CodeRefused("sms_unavailable" if purpose == CodePurpose.PHONE else "code_no_contact")
    await ratelimit.hit("contact_code", str(teacher_id), SENDS_PER_HOUR, 3600)
    now = now or datetime.now(UTC)
    code = new_code()
    nonce = secrets.token_hex(8)
    channel, target = (
        (CodeChannel.EMAIL, mask_email(email)) if email else (CodeChannel.SMS, mask_phone(phone))
    )
    async with db.transaction():
        code_id = await db.insert(
            "teacher_contact_code",
            {
                "teacher": teacher_id,
                "purpose": purpose,
                "change_request": change_request,
                "channel": channel,
                "target_masked": target,
                "value_encrypted": keys.current().field_cipher.encrypt(new_value, "code")
                if new_value
                else "",
                "code_hash": _hash(code, nonce),
                "attempts": 0,
                "expires_at": now + CODE_TTL,
                "created_at": now,
            },
        )
        assert code_id is not None
        with language("zh_Hans"):
            if channel == CodeChannel.EMAIL:
                await enqueue(
                    email,
                    _(MAIL_SUBJECT, code=code),
                    _(MAIL_TEXT, code=code),
                    kind="contact_code",
                    dedupe_key=f"contact_code:{code_id}",
                )
            else:
                await enqueue_sms(
                    phone, _(SMS_TEXT, code=code), kind="code", dedupe_key=f"contact_code:{code_id}"
                )
    return Sent(code_id, channel, target)


async def redeem(
    code_id: int,
    teacher_id: int,
    code: str,
    apply: Callable[[dict[str, Any]], Awaitable[None]],
    *,
    now: datetime | None = None,
) -> None:
    """Check a code; when right, mark it used and run `apply(row)` (row["new_value"]: the decrypted new contact)
    in the same transaction. A wrong code counts an attempt (committed) and raises CodeRefused."""
    now = now or datetime.now(UTC)
    failure = ""
    async with db.transaction():
        row = (
            await TeacherContactCode.select()
            .where((TeacherContactCode.id == code_id) & (TeacherContactCode.teacher == teacher_id))
            .first()
        )
        if row is None or row["used_at"] is not None:
            failure = "code_expired"
        elif row["expires_at"] <= now:
            failure = "code_expired"
        elif int(row["attempts"]) >= MAX_ATTEMPTS:
            failure = "code_locked"
        elif not _matches(code, row["code_hash"]):
            await TeacherContactCode.update(
                {TeacherContactCode.attempts: TeacherContactCode.attempts + 1}
            ).where(TeacherContactCode.id == code_id)
            failure = "code_locked" if int(row["attempts"]) + 1 >= MAX_ATTEMPTS else "code_wrong"
        else:
            await TeacherContactCode.update({TeacherContactCode.used_at: now}).where(
                TeacherContactCode.id == code_id
            )
            value = row["value_encrypted"]
            row["new_value"] = keys.current().field_cipher.decrypt(value, "code") if value else ""
            await apply(row)
    if failure:
        raise CodeRefused(failure, fields={"code": failure})


async def open_codes(
    teacher_id: int, purposes: tuple[str, ...], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Codes of this teacher still waiting to be entered (newest per purpose and request first)."""
    now = now or datetime.now(UTC)
    rows = (
        await TeacherContactCode.select(
            TeacherContactCode.id,
            TeacherContactCode.purpose,
            TeacherContactCode.change_request,
            TeacherContactCode.channel,
            TeacherContactCode.target_masked,
            TeacherContactCode.expires_at,
            TeacherContactCode.attempts,
        )
        .where(
            (TeacherContactCode.teacher == teacher_id)
            & TeacherContactCode.purpose.is_in(list(purposes))
            & TeacherContactCode.used_at.is_null()
        )
        .order_by(TeacherContactCode.id, ascending=False)
    )
    seen: set[tuple[str, Any]] = set()
    result = []
    for row in rows:
        key = (row["purpose"], row["change_request"])
        if key in seen or row["expires_at"] <= now or int(row["attempts"]) >= MAX_ATTEMPTS:
            seen.add(key)
            continue
        seen.add(key)
        result.append(row)
    return result

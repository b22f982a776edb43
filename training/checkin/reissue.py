"""A new QR code for an enrollment: the previous one stops working, online and in rosters downloaded after."""

from __future__ import annotations

from training import db, keys
from training.audit import writer as audit
from training.checkin import sql
from training.core.actor import Actor
from training.core.tokens import MAX_GENERATION, generation_of, make_token, nonce_of
from training.errors import Conflict, NotFound
from training.i18n import N_, register_messages

register_messages(
    {
        "code_not_replaceable": N_(
            "This check-in code was withdrawn or replaced too often; it cannot be replaced."
        ),
    }
)


async def replace_code(enrollment_id: int, staff: Actor | None, reason: str) -> str:
    """A new QR code for an enrollment (a lost phone, a leaked badge): the old code answers `code_revoked` from
    now on, online and on rosters downloaded after this. Returns the new code; audited."""
    async with db.transaction():
        nonce = await sql.token_nonce(enrollment_id)
        if nonce is None:
            raise NotFound()
        current = generation_of(nonce)
        if current is None or current >= MAX_GENERATION:
            raise Conflict("code_not_replaceable")
        await sql.set_token_nonce(enrollment_id, nonce_of(current + 1))
        await audit.record(
            staff,
            "replace_qr_code",
            "enrollment",
            enrollment_id,
            {"generation": [current, current + 1], "reason": reason[:500]},
        )
    return make_token(keys.current().qr_token, enrollment_id, current + 1)

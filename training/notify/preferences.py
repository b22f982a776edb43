"""A teacher's channel preference and opt-out (table notify_preference; no row means the defaults)."""

from __future__ import annotations

from datetime import UTC, datetime

from training import db
from training.mail.states import Channel
from training.notify.channels import CHANNELS


async def save(teacher_id: int, channel: str, essential_only: bool) -> None:
    """Upsert in the caller's transaction (registration) or its own."""
    channel = channel if channel in CHANNELS else Channel.SMS
    await db.fetch(
        'INSERT INTO "notify_preference" ("teacher", "channel", "essential_only", "updated_at") '
        'VALUES ({}, {}, {}, {}) ON CONFLICT ("teacher") DO UPDATE SET "channel" = excluded."channel", '
        '"essential_only" = excluded."essential_only", "updated_at" = excluded."updated_at"',
        teacher_id,
        channel,
        essential_only,
        datetime.now(UTC),
    )


async def load(teacher_id: int) -> tuple[str, bool] | None:
    rows = await db.fetch(
        'SELECT "channel", "essential_only" FROM "notify_preference" WHERE "teacher" = {}', teacher_id
    )
    return (rows[0]["channel"], bool(rows[0]["essential_only"])) if rows else None

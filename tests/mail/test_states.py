"""The database refuses a value no enum names (CHECK constraints; triggers on SQLite), on whichever engine runs."""

from __future__ import annotations

from typing import Any

import pytest

from training import db
from training.accounts.states import Role
from training.mail.states import Channel, MessageKind, OutboxStatus
from training.notify.states import NoticeStatus, ReminderSlot

REFUSED = r"(?i)check constraint|violates check"


async def _outbox(**values: Any) -> int | None:
    row = {"to_addr": "a@example.org", "subject": "s", "body_text": "b", **values}
    return await db.insert("outbox_message", row)


@pytest.mark.parametrize("column", ["status", "channel", "kind"])
async def test_an_outbox_row_holds_only_named_values(adb: object, column: str) -> None:
    message_id = await _outbox(status=OutboxStatus.SENT, channel=Channel.SMS, kind=MessageKind.CERTIFICATE)
    with pytest.raises(Exception, match=REFUSED):
        await _outbox(**{column: "bogus"})
    with pytest.raises(Exception, match=REFUSED):
        await db.fetch(
            f'UPDATE "outbox_message" SET "{column}" = {{}} WHERE "id" = {{}}', "bogus", message_id
        )
    rows = await db.fetch('SELECT "status", "channel", "kind" FROM "outbox_message"')
    assert [dict(r) for r in rows] == [{"status": "sent", "channel": "sms", "kind": "certificate"}]


async def test_notices_preferences_reminders_and_roles_hold_only_named_values(adb: object) -> None:
    await db.insert("change_notice", {"session": 1, "subject": "block:1", "status": NoticeStatus.DRAFT})
    await db.insert("notify_preference", {"teacher": 1, "channel": Channel.EMAIL, "essential_only": False})
    await db.insert("reminder_sent", {"enrollment": 1, "slot": ReminderSlot.THREE_DAYS})
    await db.insert("staff_user", {"username": "u", "password_hash": "x", "role": Role.STAFF})
    refused = [
        ("change_notice", {"session": 1, "subject": "block:2", "status": "published"}),
        ("notify_preference", {"teacher": 2, "channel": "fax", "essential_only": False}),
        ("reminder_sent", {"enrollment": 2, "slot": "1h"}),
        ("staff_user", {"username": "v", "password_hash": "x", "role": "admin"}),
    ]
    for table, values in refused:
        with pytest.raises(Exception, match=REFUSED):
            await db.insert(table, values)
    for table, column in (("change_notice", "status"), ("staff_user", "role")):
        with pytest.raises(Exception, match=REFUSED):
            await db.fetch(f'UPDATE "{table}" SET "{column}" = {{}}', "bogus")

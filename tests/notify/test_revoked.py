"""A revoked certificate is explained to its holder, with the reason, on every channel that works."""

from __future__ import annotations

from typing import Any

from tests.certificates.factory import attend, make_teacher, make_world
from training.certificates import batch, revoking
from training.certificates.tables import Certificate
from training.config import Settings
from training.core.actor import Actor
from training.mail.tables import OutboxMessage

ORGANISER = Actor(user_id=1, username="org", display_name="项目组 李老师", role="organiser")


async def test_a_revoked_certificate_is_explained_with_its_reason(adb: Any, settings: Settings) -> None:
    world = await make_world()
    _, enrollment = await make_teacher(world, "张三每")
    await attend(world, enrollment, 8)
    await batch.issue_session(world.session_id, settings, workers=1)
    (cert,) = await Certificate.select().where(Certificate.session == world.session_id)
    await revoking.revoke(cert["serial"], "姓名录入有误", ORGANISER)
    notices = await OutboxMessage.select().where(OutboxMessage.kind == "certificate_revoked")
    assert {m["channel"] for m in notices} >= {"sms"}
    sms = next(m for m in notices if m["channel"] == "sms")
    assert sms["enrollment_id"] == enrollment
    assert (
        cert["serial"] in sms["body_text"]
        and "姓名录入有误" in sms["body_text"]
        and "/m/" in sms["body_text"]
    )

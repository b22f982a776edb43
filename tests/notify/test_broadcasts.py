"""Broadcasts: scoped by role, previewed with counts per channel, opt-outs respected, rate limited, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training import db
from training.enrollment import service
from training.mail.tables import OutboxMessage
from training.notify import preferences
from training.programmes import service as programmes
from training.programmes.rules import BlockDraft


async def _world() -> tuple[int, list[int], dict[str, int], int]:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=4)
    [block_id] = await programmes.add_blocks(
        None, session_id, [BlockDraft(date(2027, 7, 15), "morning", time(8, 0), time(11, 30), topic="开班式")]
    )
    ids = {}
    for n, county, code in (
        (1, counties[0], "510823"),
        (2, counties[0], "510823"),
        (3, counties[1], "511622"),
    ):
        outcome = await service.register(
            session_id, registration(county, n, county_code=code, email=""), base_url=BASE_URL
        )
        ids[f"t{n}"] = outcome.enrollment_id
    return session_id, counties, ids, block_id


async def _broadcasts() -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.kind == "broadcast"))


def _post(client: Any, session_id: int, **data: Any) -> Any:
    return client.post(
        f"/admin/sessions/{session_id}/broadcast",
        data={"_csrf_token": csrf_token(client), **data},
        follow_redirects=False,
    )


def test_an_organiser_previews_then_sends_to_the_session(client: Any) -> None:
    session_id, _, ids, _ = run_sync(_world())
    rows = run_sync(db.fetch('SELECT "teacher" FROM "enrollment" WHERE "id" = {}', ids["t2"]))
    run_sync(preferences.save(int(rows[0]["teacher"]), "sms", True))  # t2 opted out
    login_as(client, "organiser")
    preview = _post(client, session_id, target="session", text="明早7:30在校门口集合乘车。", action="preview")
    assert preview.status_code == 200
    assert "3 位教师：短信 2，邮件 0，不发送 1" in preview.text
    assert "明早7:30在校门口集合乘车。" in preview.text
    assert run_sync(_broadcasts()) == []  # a preview sends nothing
    sent = _post(client, session_id, target="session", text="明早7:30在校门口集合乘车。", action="send")
    assert sent.status_code in (302, 303)
    assert sorted(m["enrollment_id"] for m in run_sync(_broadcasts())) == sorted([ids["t1"], ids["t3"]])
    audit = run_sync(db.fetch('SELECT "changes" FROM "audit_entry" WHERE "action" = {}', "broadcast"))
    assert len(audit) == 1 and "by_channel" in str(audit[0]["changes"])


def test_a_coordinator_reaches_only_her_own_county(client: Any) -> None:
    session_id, counties, ids, _ = run_sync(_world())
    login_as(client, "coordinator", counties[0])
    # she asks for the other county: she still reaches only her own
    _post(
        client, session_id, target="session", text="本县教师请注意。", county=str(counties[1]), action="send"
    )
    assert sorted(m["enrollment_id"] for m in run_sync(_broadcasts())) == sorted([ids["t1"], ids["t2"]])


def test_absentees_of_a_block_and_bad_input_next_to_the_field(client: Any) -> None:
    session_id, _, ids, block_id = run_sync(_world())
    run_sync(
        db.fetch(
            'INSERT INTO "check_in" ("enrollment", "block", "scanned_at", "recorded_at", "staff_name", '
            '"device_id", "client_id") VALUES ({}, {}, {}, {}, {}, {}, {})',
            ids["t1"],
            block_id,
            datetime.now(UTC),
            datetime.now(UTC),
            "",
            "",
            "bc-1",
        )
    )
    login_as(client, "organiser")
    missing_block = _post(client, session_id, target="absentees", text="请补签到。", action="preview")
    assert missing_block.status_code == 422 and 'id="e-block"' in missing_block.text
    assert "请补签到。" in missing_block.text  # what was typed is kept
    _post(client, session_id, target="absentees", block=str(block_id), text="请补签到。", action="send")
    assert sorted(m["enrollment_id"] for m in run_sync(_broadcasts())) == sorted([ids["t2"], ids["t3"]])


def test_broadcasts_are_rate_limited(client: Any) -> None:
    session_id, _, _, _ = run_sync(_world())
    login_as(client, "organiser")
    for n in range(5):
        assert _post(client, session_id, target="waiting", text=f"第{n}条", action="send").status_code in (
            302,
            303,
        )
    refused = _post(client, session_id, target="waiting", text="第6条", action="send")
    assert refused.status_code == 409

"""County-wide broadcasts: the confirmed teachers of a county in every session not ended, each teacher once;
scoped by role (a coordinator is refused another county), previewed, rate limited and audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training import db
from training.core.clock import local_today
from training.enrollment import service
from training.mail.tables import OutboxMessage
from training.programmes.tables import TrainingSession

TEXT = "下周起各县培训点统一使用新的签到二维码。"


async def _world() -> tuple[list[int], dict[str, int]]:
    """Two running sessions and one that has ended; t1 is in both running sessions, t3 in another county, t4
    only in the ended session."""
    counties = await make_counties()
    first = await make_session(counties, title="第10期暑期教师培训班")
    second = await make_session(counties, title="第11期暑期教师培训班")
    ended = await make_session(counties, title="第9期暑期教师培训班")
    ids = {}
    for key, session_id, county, n, code in (
        ("t1", first, counties[0], 1, "510823"),
        ("t1b", second, counties[0], 1, "510823"),
        ("t2", second, counties[0], 2, "510823"),
        ("t3", first, counties[1], 3, "511622"),
        ("t4", ended, counties[0], 4, "510823"),
    ):
        outcome = await service.register(
            session_id, registration(county, n, county_code=code, email=""), base_url=BASE_URL
        )
        ids[key] = outcome.enrollment_id
    today = local_today()
    await TrainingSession.update(
        {
            TrainingSession.starts_on: today - timedelta(days=9),
            TrainingSession.ends_on: today - timedelta(days=7),
        }
    ).where(TrainingSession.id == ended)
    return counties, ids


async def _broadcast_rows() -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.kind == "broadcast"))


async def _teacher_of(enrollment_id: int) -> int:
    rows = await db.fetch('SELECT "teacher" FROM "enrollment" WHERE "id" = {}', enrollment_id)
    return int(rows[0]["teacher"])


def _post(client: Any, **data: Any) -> Any:
    return client.post(
        "/admin/broadcast", data={"_csrf_token": csrf_token(client), **data}, follow_redirects=False
    )


def test_an_organiser_reaches_each_teacher_of_the_county_once(client: Any) -> None:
    counties, ids = run_sync(_world())
    assert run_sync(_teacher_of(ids["t1"])) == run_sync(_teacher_of(ids["t1b"]))  # one teacher, two sessions
    login_as(client, "organiser")
    assert "/admin/broadcast" in client.get("/admin/broadcast").text
    preview = _post(client, county=str(counties[0]), text=TEXT, action="preview")
    assert preview.status_code == 200
    assert "2 位教师：短信 2，邮件 0，不发送 0" in preview.text
    assert run_sync(_broadcast_rows()) == []  # a preview sends nothing
    sent = _post(client, county=str(counties[0]), text=TEXT, action="send")
    assert sent.status_code in (302, 303) and "sent=2" in sent.headers["location"]
    rows = run_sync(_broadcast_rows())
    # t1 once (not once per session), t2; not t3 (another county) nor t4 (her session has ended)
    assert sorted(m["enrollment_id"] for m in rows) == sorted([ids["t1"], ids["t2"]])
    audit = run_sync(
        db.fetch(
            'SELECT "entity", "entity_id", "changes" FROM "audit_entry" WHERE "action" = {}', "broadcast"
        )
    )
    assert (
        len(audit) == 1 and audit[0]["entity"] == "county" and str(audit[0]["entity_id"]) == str(counties[0])
    )
    assert "by_channel" in str(audit[0]["changes"]) and "county" in str(audit[0]["changes"])


def test_a_coordinator_is_refused_another_county(client: Any) -> None:
    counties, ids = run_sync(_world())
    login_as(client, "coordinator", counties[0])
    page = client.get("/admin/broadcast")
    assert page.status_code == 200 and f'value="{counties[1]}"' not in page.text  # only hers is offered
    refused = _post(client, county=str(counties[1]), text=TEXT, action="send")
    assert refused.status_code == 403
    assert run_sync(_broadcast_rows()) == []
    # with no county named she reaches her own
    sent = _post(client, text=TEXT, action="send")
    assert sent.status_code in (302, 303)
    assert sorted(m["enrollment_id"] for m in run_sync(_broadcast_rows())) == sorted([ids["t1"], ids["t2"]])


def test_county_broadcasts_count_against_the_same_rate_limit(client: Any) -> None:
    counties, _ = run_sync(_world())
    login_as(client, "organiser")
    assert _post(client, county="", text=TEXT, action="send").status_code == 422  # the county is required
    for n in range(5):
        assert _post(client, county=str(counties[2]), text=f"第{n}条", action="send").status_code in (
            302,
            303,
        )
    assert _post(client, county=str(counties[2]), text="第6条", action="send").status_code == 409

"""Session-wide change notices: a new venue, new dates or a close before the end are announced old → new to the
confirmed teachers and the waiting list, after the organiser's preview, once per teacher."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from typing import Any

import pytest

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.enrollment import service
from training.errors import Conflict
from training.mail.tables import OutboxMessage
from training.notify import changes
from training.programmes import service as programmes
from training.programmes import sessions
from training.programmes.rules import BlockDraft
from training.programmes.tables import TrainingSession


async def _world() -> tuple[int, dict[str, int]]:
    """Capacity 2: teachers 1 and 2 confirm, 3 and 4 wait; 1 cancels, so 3 is promoted and 4 still waits."""
    counties = await make_counties()
    session_id = await make_session(counties, capacity=2)
    ids = {}
    for n, email in ((1, ""), (2, "teacher2@example.org"), (3, ""), (4, "")):
        outcome = await service.register(
            session_id, registration(counties[0], n, email=email), base_url=BASE_URL
        )
        ids[f"t{n}"] = outcome.enrollment_id
    await service.cancel(ids["t1"], base_url=BASE_URL)
    return session_id, ids


async def _notices() -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.kind == "change").order_by(OutboxMessage.id))


async def _edit(session_id: int, **changed: Any) -> None:
    session = await sessions.get_session(session_id)
    await programmes.update_session(None, session_id, replace(programmes.draft_of(session), **changed))


async def test_a_new_venue_is_previewed_then_reaches_confirmed_and_waiting_teachers_once(adb: Any) -> None:
    session_id, ids = await _world()
    await _edit(session_id, venue="剑阁中学报告厅")
    assert await _notices() == []  # nothing before the organiser's preview
    [draft] = await changes.drafts(session_id)
    assert draft["subject"] == "session:venue"
    assert draft["old_text"] == "地点 剑阁县教师进修学校"
    assert draft["new_text"] == "地点 剑阁中学报告厅"
    preview = await changes.preview(int(draft["id"]), BASE_URL)
    assert (preview.recipients, preview.waiting) == (3, 1)
    assert preview.by_channel == {"sms": 3, "email": 1}
    assert "地点 剑阁县教师进修学校 → 地点 剑阁中学报告厅" in preview.sms_text
    assert await changes.send(int(draft["id"]), BASE_URL) == 3
    sent = await _notices()
    assert sorted((m["enrollment_id"], m["channel"]) for m in sent) == sorted(
        [(ids["t2"], "sms"), (ids["t2"], "email"), (ids["t3"], "sms"), (ids["t4"], "sms")]
    )
    assert all(m["enrollment_id"] != ids["t1"] for m in sent)  # she cancelled: nothing
    with pytest.raises(Conflict):
        await changes.send(int(draft["id"]), BASE_URL)
    assert len(await _notices()) == 4  # a second send sends nothing


async def test_new_dates_fold_into_one_draft_with_the_first_old_dates(adb: Any) -> None:
    session_id, ids = await _world()
    await _edit(session_id, starts_on=date(2027, 7, 16), ends_on=date(2027, 7, 19))
    await _edit(session_id, starts_on=date(2027, 7, 17), ends_on=date(2027, 7, 20))
    [draft] = await changes.drafts(session_id)
    assert draft["subject"] == "session:dates"
    assert (draft["old_text"], draft["new_text"]) == ("7月15日–7月18日", "7月17日–7月20日")
    assert await changes.send(int(draft["id"]), BASE_URL) == 3
    assert {m["enrollment_id"] for m in await _notices()} == {ids["t2"], ids["t3"], ids["t4"]}


async def test_an_edit_that_keeps_venue_and_dates_makes_no_notice(adb: Any) -> None:
    session_id, _ = await _world()
    await _edit(session_id, title="第10期暑期教师培训班（更名）", capacity=30)
    assert await changes.drafts(session_id) == []


async def test_closing_before_the_end_drafts_a_cancellation_and_reopening_withdraws_it(adb: Any) -> None:
    session_id, _ = await _world()
    # what reopening (publishing) needs: a timetable and a completion threshold
    await programmes.add_blocks(
        None, session_id, [BlockDraft(date(2027, 7, 15), "morning", time(8, 0), time(11, 30))]
    )
    await TrainingSession.update({TrainingSession.completion_hours: 3}).where(
        TrainingSession.id == session_id
    )
    await programmes.set_status(None, session_id, "closed")
    [draft] = await changes.drafts(session_id)
    assert draft["subject"] == "session:closed"
    assert draft["old_text"] == "7月15日–7月18日 剑阁县教师进修学校"
    assert draft["new_text"] == "已取消"
    await programmes.set_status(None, session_id, "published")
    [withdrawn] = await changes.drafts(session_id)
    assert withdrawn["status"] == "dismissed"


async def test_closing_after_the_last_day_says_nothing(adb: Any) -> None:
    session_id, _ = await _world()
    session = await sessions.get_session(session_id)
    assert await changes.session_closed(session.as_dict(), date(2027, 7, 19)) is None
    assert await changes.drafts(session_id) == []


def test_the_organiser_closes_then_previews_and_sends_the_cancellation(client: Any) -> None:
    session_id, ids = run_sync(_world())
    login_as(client, "organiser")
    confirm = client.post(
        f"/admin/sessions/{session_id}/status", data={"_csrf_token": csrf_token(client), "status": "closed"}
    )
    assert confirm.status_code == 200 and run_sync(changes.drafts(session_id)) == []  # asked first
    assert "取消通知将在“变更通知”中等待" in confirm.text
    done = client.post(
        f"/admin/sessions/{session_id}/status",
        data={"_csrf_token": csrf_token(client), "status": "closed", "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code in (302, 303)
    page = client.get(f"/admin/sessions/{session_id}/notices").text
    assert "7月15日–7月18日 剑阁县教师进修学校" in page and "已取消" in page
    assert "收件人：2 位已确认教师；短信 3，邮件 1，无法联系 0。 另有候补 1 人。" in page
    [draft] = run_sync(changes.drafts(session_id))
    sent = client.post(
        f"/admin/sessions/{session_id}/notices/{draft['id']}/send",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert sent.status_code in (302, 303)
    assert sorted({m["enrollment_id"] for m in run_sync(_notices())}) == [ids["t2"], ids["t3"], ids["t4"]]
    assert len(run_sync(_notices())) == 4
    again = client.post(
        f"/admin/sessions/{session_id}/notices/{draft['id']}/send", data={"_csrf_token": csrf_token(client)}
    )
    assert again.status_code == 409
    assert len(run_sync(_notices())) == 4

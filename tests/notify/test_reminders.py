"""Reminders at the right moments (controlled clock), once each, to the right teachers."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from training import db
from training.core.clock import LOCAL_TZ
from training.enrollment import service
from training.mail.tables import OutboxMessage
from training.notify import preferences, reminders
from training.notify.schedule import due_slots, windows
from training.programmes.tables import Block

STARTS = date(2027, 7, 15)  # make_session's first day


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 7, day, hour, minute, tzinfo=LOCAL_TZ)


async def _setup(capacity: int = 2) -> tuple[int, list[int]]:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=capacity)
    await Block.insert(
        Block(
            session=session_id,
            day=STARTS,
            half_day="morning",
            starts_at=time(8, 0),
            ends_at=time(11, 30),
            topic="开班式",
            room="报告厅",
        ),
        Block(
            session=session_id,
            day=STARTS,
            half_day="afternoon",
            starts_at=time(14, 0),
            ends_at=time(17, 0),
            topic="课堂观察",
            room="201教室",
        ),
    )
    ids = []
    for n in range(1, 4):  # two confirmed, one waiting
        outcome = await service.register(
            session_id, registration(counties[0], n, email=""), base_url=BASE_URL
        )
        ids.append(outcome.enrollment_id)
    return session_id, ids


async def _reminders() -> list[dict[str, Any]]:
    return list(
        await OutboxMessage.select()
        .where(OutboxMessage.kind.is_in(["reminder", "still_waiting"]))
        .order_by(OutboxMessage.id)
    )


def test_the_slots_open_and_close_at_their_moments() -> None:
    w = windows(STARTS, time(8, 0))
    assert w["3d"].opens == local(12, 9) and w["3d"].closes == local(14, 19)
    assert w["evening"].opens == local(14, 19) and w["morning"].opens == local(15, 6, 30)
    assert w["morning"].closes == local(15, 8)
    plan = ("3d", "waiting", "evening", "morning")
    assert due_slots(local(12, 8, 59), STARTS, plan) == []
    assert due_slots(local(12, 9), STARTS, plan) == ["3d", "waiting"]
    assert due_slots(local(14, 20), STARTS, plan) == ["waiting", "evening"]
    assert due_slots(local(15, 7), STARTS, plan, time(8, 0)) == ["morning"]
    assert due_slots(local(15, 9), STARTS, plan, time(8, 0)) == []


async def test_each_reminder_goes_once_at_its_moment_to_the_right_teachers(adb: Any) -> None:
    session_id, (first, second, waiting) = await _setup()
    assert await reminders.run_due(local(12, 8, 59), base_url=BASE_URL) == {}
    done = await reminders.run_due(local(12, 9, 0), base_url=BASE_URL)
    assert done == {(session_id, "3d"): 2, (session_id, "waiting"): 1}
    sent = await _reminders()
    assert sorted((m["enrollment_id"], m["kind"]) for m in sent) == [
        (first, "reminder"),
        (second, "reminder"),
        (waiting, "still_waiting"),
    ]
    assert all(m["channel"] == "sms" for m in sent)
    still = next(m for m in sent if m["kind"] == "still_waiting")["body_text"]
    assert "第1位" in still and "/m/" in still
    # an hour later (or after a restart) nothing is sent again
    assert set((await reminders.run_due(local(12, 10, 0), base_url=BASE_URL)).values()) == {0}
    assert len(await _reminders()) == 3
    await reminders.run_due(local(14, 19, 5), base_url=BASE_URL)
    await reminders.run_due(local(15, 6, 31), base_url=BASE_URL)
    morning = [m for m in await _reminders() if "今天开班" in m["body_text"]]
    assert len(morning) == 2
    assert "08:00" in morning[0]["body_text"] and "报告厅" in morning[0]["body_text"]
    assert len(await _reminders()) == 3 + 2 + 2


async def test_a_cancelled_teacher_gets_no_reminder(adb: Any) -> None:
    _session_id, (first, second, waiting) = await _setup(capacity=3)
    await service.cancel(first, base_url=BASE_URL)
    await reminders.run_due(local(12, 9, 0), base_url=BASE_URL)
    assert sorted(m["enrollment_id"] for m in await _reminders()) == sorted([second, waiting])


async def test_two_workers_at_once_send_each_reminder_once(adb: Any) -> None:
    session_id, ids = await _setup(capacity=3)
    results = await asyncio.gather(
        reminders.run_due(local(12, 9, 30), base_url=BASE_URL),
        reminders.run_due(local(12, 9, 30), base_url=BASE_URL),
    )
    assert sum(r.get((session_id, "3d"), 0) for r in results) == 3
    assert sorted(m["enrollment_id"] for m in await _reminders()) == sorted(ids)


async def test_the_session_plan_and_the_teachers_opt_out_are_honoured(adb: Any) -> None:
    session_id, (first, second, _waiting) = await _setup()
    await reminders.save_plan(session_id, ["morning"])
    rows = await db.fetch('SELECT "teacher" FROM "enrollment" WHERE "id" = {}', second)
    await preferences.save(int(rows[0]["teacher"]), "sms", True)
    assert await reminders.run_due(local(12, 9, 0), base_url=BASE_URL) == {}
    await reminders.run_due(local(15, 6, 45), base_url=BASE_URL)
    assert [m["enrollment_id"] for m in await _reminders()] == [first]


async def test_a_teacher_who_prefers_email_gets_it_by_email(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties)
    outcome = await service.register(
        session_id, registration(counties[0], 1, channel="email"), base_url=BASE_URL
    )
    await reminders.run_due(local(12, 9, 0), base_url=BASE_URL)
    [mail] = await _reminders()
    assert (mail["channel"], mail["enrollment_id"]) == ("email", outcome.enrollment_id)
    assert mail["subject"].startswith("三天后开班")


def test_the_organiser_sets_a_sessions_reminders_on_its_page(client: Any) -> None:
    from tests.kit.sync import run_sync
    from tests.kit.web import csrf_token, login_as

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    login_as(client, "organiser")
    page = client.get(f"/admin/sessions/{session_id}/reminders")
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == 4 and page.text.count("checked") == 4
    assert "2027-07-12 09:00" in page.text
    client.post(
        f"/admin/sessions/{session_id}/reminders",
        data={"_csrf_token": csrf_token(client), "slot_morning": "1", "slot_evening": "1"},
    )
    assert run_sync(reminders.plan_of(session_id)) == ("evening", "morning")
    assert "提醒设置已保存" in client.get(f"/admin/sessions/{session_id}/reminders?saved=true").text
    client.cookies.clear()
    login_as(client, "coordinator", counties[0])
    assert client.get(f"/admin/sessions/{session_id}/reminders", follow_redirects=False).status_code in (
        302,
        303,
        401,
        403,
    )

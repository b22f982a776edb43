"""Change notices: a moved or cancelled block is announced old → new, after the organiser's preview."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.enrollment import service
from training.mail.tables import OutboxMessage
from training.notify import changes
from training.programmes import service as programmes
from training.programmes.rules import BlockDraft

DAY = date(2027, 7, 15)


async def _world() -> tuple[int, int, list[int]]:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=2)
    [block_id] = await programmes.add_blocks(
        None,
        session_id,
        [BlockDraft(DAY, "morning", time(8, 0), time(11, 30), topic="开班式", room="报告厅")],
    )
    ids = []
    for n, email in ((1, ""), (2, "teacher2@example.org"), (3, "")):  # the third waits: not told
        outcome = await service.register(
            session_id, registration(counties[0], n, email=email), base_url=BASE_URL
        )
        ids.append(outcome.enrollment_id)
    return session_id, block_id, ids


async def _notices() -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.kind == "change").order_by(OutboxMessage.id))


async def test_a_moved_block_waits_for_the_preview_then_reaches_every_confirmed_teacher(adb: Any) -> None:
    session_id, block_id, (first, second, waiting) = await _world()
    await programmes.update_block(
        None, block_id, BlockDraft(DAY, "morning", time(8, 30), time(11, 30), topic="开班式", room="302教室")
    )
    assert await _notices() == []  # nothing goes out before the organiser looked
    [draft] = await changes.drafts(session_id)
    assert draft["old_text"] == "7月15日 08:00–11:30 报告厅"
    assert draft["new_text"] == "7月15日 08:30–11:30 302教室"
    preview = await changes.preview(int(draft["id"]), BASE_URL)
    assert preview.recipients == 2
    assert preview.by_channel == {"sms": 2, "email": 1}
    assert "08:00–11:30 报告厅 → 7月15日 08:30–11:30 302教室" in preview.sms_text
    assert await changes.send(int(draft["id"]), BASE_URL) == 2
    sent = await _notices()
    assert sorted((m["enrollment_id"], m["channel"]) for m in sent) == sorted(
        [(first, "sms"), (second, "sms"), (second, "email")]
    )
    assert all(m["enrollment_id"] != waiting for m in sent)


async def test_two_edits_fold_into_one_notice_and_a_cancelled_block_says_so(adb: Any) -> None:
    session_id, block_id, _ = await _world()
    await programmes.update_block(
        None, block_id, BlockDraft(DAY, "morning", time(9, 0), time(11, 30), room="报告厅")
    )
    await programmes.update_block(
        None, block_id, BlockDraft(DAY, "morning", time(9, 0), time(11, 30), room="报告厅", cancelled=True)
    )
    [draft] = await changes.drafts(session_id)
    assert draft["old_text"] == "7月15日 08:00–11:30 报告厅"
    assert draft["new_text"].endswith("已取消")


async def test_an_edit_that_changes_nothing_teachers_attend_makes_no_notice(adb: Any) -> None:
    session_id, block_id, _ = await _world()
    await programmes.update_block(
        None,
        block_id,
        BlockDraft(DAY, "morning", time(8, 0), time(11, 30), topic="开班式（新标题）", room="报告厅"),
    )
    assert await changes.drafts(session_id) == []


def test_the_organiser_previews_and_sends_from_the_page(client: Any) -> None:
    session_id, block_id, _ = run_sync(_world())
    run_sync(
        programmes.update_block(
            None, block_id, BlockDraft(DAY, "morning", time(8, 30), time(11, 30), room="302教室")
        )
    )
    login_as(client, "organiser")
    page = client.get(f"/admin/sessions/{session_id}/notices").text
    assert "7月15日 08:00–11:30 报告厅" in page and "收件人：2 位已确认教师；短信 2，邮件 1" in page
    [draft] = run_sync(changes.drafts(session_id))
    response = client.post(
        f"/admin/sessions/{session_id}/notices/{draft['id']}/send",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    assert len(run_sync(_notices())) == 3
    again = client.post(
        f"/admin/sessions/{session_id}/notices/{draft['id']}/send", data={"_csrf_token": csrf_token(client)}
    )
    assert again.status_code == 409  # sent once
    assert len(run_sync(_notices())) == 3

"""Waiting list, cancellation with promotion (and its email), approval mode, quota release."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
from datetime import date, timedelta
from typing import Any

import PIL.Image
import pytest
import zxingcpp

from tests.enrollment.factory import BASE_URL, COUNTIES, make_counties, make_session, registration
from training import keys
from training.core.actor import Actor
from training.core.links import read_link_token
from training.core.tokens import make_token
from training.enrollment import service
from training.enrollment.tables import Enrollment
from training.errors import Conflict
from training.mail.mime import attachment_bytes
from training.mail.tables import OutboxMessage
from training.programmes.tables import CountyQuota, TrainingSession

ORGANISER = Actor(1, "organiser", "", "organiser")  # the acting organiser (no account row needed)


async def _status(enrollment_id: int) -> str:
    row = await Enrollment.select(Enrollment.status).where(Enrollment.id == enrollment_id).first()
    assert row is not None
    return str(row["status"])


async def _reg(session_id: int, county_id: int, n: int, code: str = "510823") -> service.Outcome:
    return await service.register(session_id, registration(county_id, n, county_code=code), base_url=BASE_URL)


def _attachments(mail: dict[str, Any]) -> list[dict[str, str]]:
    value = mail["attachments"]
    return json.loads(value) if isinstance(value, str) else list(value)


def _decode_png(attachment: dict[str, str]) -> str:
    """The QR's text, read back from the image the mail worker sends (it draws a QR stored as its text)."""
    image = PIL.Image.open(io.BytesIO(attachment_bytes(attachment)))
    return str(zxingcpp.read_barcodes(image)[0].text)


async def test_cancel_promotes_the_first_waiting_teacher_and_queues_the_email_with_a_readable_qr(
    adb: Any,
) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=2)
    first, second = await _reg(session_id, counties[0], 1), await _reg(session_id, counties[0], 2)
    third, fourth = await _reg(session_id, counties[0], 3), await _reg(session_id, counties[0], 4)
    assert [first.status, second.status, third.status, fourth.status] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert (third.position, fourth.position) == (1, 2)
    promoted = await service.cancel(first.enrollment_id, base_url=BASE_URL)
    assert promoted == [third.enrollment_id]
    assert await _status(first.enrollment_id) == "cancelled"
    assert await _status(third.enrollment_id) == "confirmed"
    assert (await service.view(fourth.enrollment_id)).position == 1
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    assert session is not None and session["seats_taken"] == 2
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "promotion").first()
    assert mail is not None and mail["enrollment_id"] == third.enrollment_id
    assert mail["to_addr"] == "teacher3@example.org"
    assert "候补成功" in mail["subject"]
    pngs = [a for a in _attachments(mail) if a["content_type"] == "image/png"]
    assert any(a["inline_cid"] for a in pngs) and any(not a["inline_cid"] for a in pngs)
    assert 'src="cid:' in mail["body_html"]
    assert _decode_png(pngs[0]) == make_token(keys.current().qr_token, third.enrollment_id)
    ics = next(a for a in _attachments(mail) if a["content_type"] == "text/calendar")
    calendar = base64.b64decode(ics["data_b64"]).decode()
    assert "DTSTART;VALUE=DATE:20270715" in calendar and "DTEND;VALUE=DATE:20270719" in calendar


async def test_the_confirmation_email_carries_the_qr_inline_and_attached_and_an_ics(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=5)
    outcome = await _reg(session_id, counties[0], 1)
    mail = await OutboxMessage.select().where(OutboxMessage.enrollment_id == outcome.enrollment_id).first()
    assert mail is not None and mail["kind"] == "confirmation"
    assert mail["subject"] == "报名确认：第10期暑期教师培训班"
    code = outcome.manual_code
    assert f"{code[:4]}-{code[4:]}" in mail["body_text"] and f"{code[:4]}-{code[4:]}" in mail["body_html"]
    # The link is signed with its expiry in whole seconds, so it is read back, not compared with the outcome's.
    link = re.search(rf"{re.escape(BASE_URL)}/me/([A-Za-z0-9_-]+)", mail["body_text"])
    assert link is not None
    assert read_link_token(keys.current().teacher_link, link.group(1)) == outcome.enrollment_id
    names = sorted(a["content_type"] for a in _attachments(mail))
    assert names == ["image/png", "image/png", "text/calendar"]
    for attachment in _attachments(mail):
        if attachment["content_type"] == "image/png":
            assert _decode_png(attachment) == make_token(keys.current().qr_token, outcome.enrollment_id)


async def test_promotion_prefers_the_same_county_while_it_is_under_quota(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=4, quotas=[2, 2, None])
    a1, a2 = await _reg(session_id, counties[0], 1), await _reg(session_id, counties[0], 2)
    b1, b2 = (
        await _reg(session_id, counties[1], 3, COUNTIES[1][0]),
        await _reg(session_id, counties[1], 4, COUNTIES[1][0]),
    )
    b3 = await _reg(session_id, counties[1], 5, COUNTIES[1][0])  # waits first
    a3 = await _reg(session_id, counties[0], 6)  # waits second
    assert [x.status for x in (a1, a2, b1, b2, b3, a3)] == ["confirmed"] * 4 + ["waitlisted"] * 2
    promoted = await service.cancel(a1.enrollment_id, base_url=BASE_URL)
    assert promoted == [a3.enrollment_id]  # the freeing county's own waiting teacher, though b3 waited longer
    assert await _status(b3.enrollment_id) == "waitlisted"


async def test_a_county_at_its_quota_waits_while_reserved_seats_of_others_stay_free(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=4, quotas=[1, 3, None])
    assert (await _reg(session_id, counties[0], 1)).status == "confirmed"
    assert (await _reg(session_id, counties[0], 2)).status == "waitlisted"
    # the third county has no quota and the pool is 4 - (1 + 3) = 0
    assert (await _reg(session_id, counties[2], 3, COUNTIES[2][0])).status == "waitlisted"


async def test_unused_quota_is_released_on_the_release_date(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(
        counties, capacity=4, quotas=[1, 3, None], release_on=date.today() - timedelta(days=1)
    )
    outcomes = [await _reg(session_id, counties[0], n) for n in range(1, 4)]
    assert [o.status for o in outcomes] == ["confirmed"] * 3
    rows = await CountyQuota.select().where(CountyQuota.session == session_id)
    assert {r["county"]: r["seats_taken"] for r in rows}[
        counties[0]
    ] == 1  # only one counted against the quota


async def test_approval_mode_holds_pending_seats_and_bulk_decisions_promote(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=2, mode="approval")
    o = [await _reg(session_id, counties[0], n) for n in range(1, 5)]
    assert [x.status for x in o] == ["pending", "pending", "waitlisted", "waitlisted"]
    result = await service.decide(
        session_id, [o[0].enrollment_id, o[1].enrollment_id], False, actor=ORGANISER, base_url=BASE_URL
    )
    assert sorted(result.changed) == [o[0].enrollment_id, o[1].enrollment_id]
    assert sorted(result.promoted) == [o[2].enrollment_id, o[3].enrollment_id]
    assert await _status(o[2].enrollment_id) == "pending"  # promoted into approval, not straight to confirmed
    approved = await service.decide(
        session_id,
        [o[2].enrollment_id, o[3].enrollment_id, o[0].enrollment_id],
        True,
        actor=ORGANISER,
        base_url=BASE_URL,
    )
    assert sorted(approved.changed) == [o[2].enrollment_id, o[3].enrollment_id]
    assert approved.skipped == [o[0].enrollment_id]  # already rejected
    assert await OutboxMessage.count().where(OutboxMessage.kind == "confirmation") == 2
    assert await OutboxMessage.count().where(OutboxMessage.kind == "rejected") == 2


async def test_concurrent_duplicate_registrations_create_one_enrollment(pooled: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=5)
    values = registration(counties[0], 1)
    outcomes = await asyncio.gather(
        *(service.register(session_id, values, base_url=BASE_URL) for _ in range(8))
    )
    assert len({o.enrollment_id for o in outcomes}) == 1
    assert sum(o.created for o in outcomes) == 1
    assert await Enrollment.count() == 1
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    assert session is not None and session["seats_taken"] == 1


async def test_a_cancelled_registration_cannot_be_cancelled_twice(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=5)
    outcome = await _reg(session_id, counties[0], 1)
    await service.cancel(outcome.enrollment_id, base_url=BASE_URL)
    with pytest.raises(Conflict):
        await service.cancel(outcome.enrollment_id, base_url=BASE_URL)
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    assert session is not None and session["seats_taken"] == 0


async def test_free_reserved_seats_go_to_the_waiting_list_once_quotas_are_released(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=3, quotas=[1, 2, None])
    first = await _reg(session_id, counties[0], 1)
    waiting = await _reg(session_id, counties[0], 2)
    assert (first.status, waiting.status) == ("confirmed", "waitlisted")
    assert (
        await service.fill_free_seats(session_id, base_url=BASE_URL) == []
    )  # county 2's seats stay reserved
    assert await service.sessions_with_free_seats_and_a_queue() == [session_id]
    await TrainingSession.update(
        {TrainingSession.release_unused_quota_on: date.today() - timedelta(days=1)}
    ).where(TrainingSession.id == session_id)
    assert await service.fill_free_seats(session_id, base_url=BASE_URL) == [waiting.enrollment_id]
    assert await _status(waiting.enrollment_id) == "confirmed"
    assert await OutboxMessage.count().where(OutboxMessage.kind == "promotion") == 1


async def test_a_teacher_coming_back_next_year_is_the_same_person_and_her_new_details_wait_for_proof(
    adb: Any,
) -> None:
    """One person across years; what the new registration says differently is a pending change (docs/people.md)."""
    from training.people.service import reveal_phone
    from training.people.tables import Teacher, TeacherChangeRequest

    counties = await make_counties()
    last_year = await make_session(counties, capacity=5, title="第9期暑期教师培训班")
    this_year = await make_session(counties, capacity=5, title="第10期暑期教师培训班")
    first = await service.register(last_year, registration(counties[0], 1), base_url=BASE_URL)
    again = await service.register(
        this_year,
        registration(counties[0], 1, phone="13711112222", school="剑阁县第一中学", title="高级教师"),
        base_url=BASE_URL,
    )
    assert again.created and again.enrollment_id != first.enrollment_id
    teachers = await Teacher.select()
    assert len(teachers) == 1
    assert teachers[0]["title"] == "一级教师" and teachers[0]["school_name"] == "剑阁县实验小学"
    assert reveal_phone(teachers[0]) == "13900000001"
    pending = await TeacherChangeRequest.select()
    assert len(pending) == 1 and pending[0]["enrollment_id"] == again.enrollment_id
    rows = await Enrollment.select(Enrollment.teacher)
    assert {r["teacher"] for r in rows} == {teachers[0]["id"]}

"""Phone first: e-mail optional with SMS, essential messages on every working channel, preferences and opt-out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.enrollment.factory import BASE_URL, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token
from tests.sms.servers import AliyunServer
from training import db
from training.config import Settings
from training.enrollment import service
from training.mail.tables import OutboxMessage
from training.notify import preferences
from training.sms import state as sms_state
from training.sms.text import segments
from training.sms.worker import SmsWorker


async def _outbox(enrollment_id: int) -> list[dict[str, Any]]:
    return list(
        await OutboxMessage.select()
        .where(OutboxMessage.enrollment_id == enrollment_id)
        .order_by(OutboxMessage.id)
    )


async def test_a_teacher_without_email_registers_and_gets_her_confirmation_by_sms(
    adb: Any, settings: Settings, sms_server: AliyunServer
) -> None:
    counties = await make_counties()
    session_id = await make_session(counties)
    outcome = await service.register(session_id, registration(counties[0], 1, email=""), base_url=BASE_URL)
    assert outcome.status == "confirmed"
    [sms] = await _outbox(outcome.enrollment_id)
    assert (sms["channel"], sms["kind"], sms["to_addr"]) == ("sms", "confirmation", "139****0001")
    assert "报名成功" in sms["body_text"] and "/m/" in sms["body_text"]
    assert segments(sms["body_text"], settings.sms_sign_name) <= 2
    await SmsWorker(settings).run_once()
    [accepted] = sms_server.accepted
    assert accepted.phone == "13900000001" and accepted.text == sms["body_text"]


async def test_with_email_and_phone_an_essential_message_goes_on_both(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties)
    outcome = await service.register(session_id, registration(counties[0], 1), base_url=BASE_URL)
    channels = sorted((m["channel"], m["kind"]) for m in await _outbox(outcome.enrollment_id))
    assert channels == [("email", "confirmation"), ("sms", "confirmation")]


async def test_without_an_sms_provider_email_stays_required(adb: Any, settings: Settings) -> None:
    from training.errors import ValidationFailed

    sms_state.configure(replace(settings, sms_provider="none"))
    counties = await make_counties()
    session_id = await make_session(counties)
    try:
        await service.register(session_id, registration(counties[0], 1, email=""), base_url=BASE_URL)
    except ValidationFailed as exc:
        assert exc.fields == {"email": "required"}
    else:
        raise AssertionError("registered without any channel that works")


async def test_choosing_email_without_an_address_is_refused_next_to_the_field(adb: Any) -> None:
    from training.errors import ValidationFailed

    counties = await make_counties()
    session_id = await make_session(counties)
    try:
        await service.register(
            session_id, registration(counties[0], 1, email="", channel="email"), base_url=BASE_URL
        )
    except ValidationFailed as exc:
        assert exc.fields == {"email": "required"}
    else:
        raise AssertionError("accepted e-mail as channel without an address")


async def test_waiting_promotion_and_cancellation_reach_the_teacher_by_sms(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, capacity=1)
    first = await service.register(session_id, registration(counties[0], 1, email=""), base_url=BASE_URL)
    second = await service.register(session_id, registration(counties[0], 2, email=""), base_url=BASE_URL)
    assert second.status == "waitlisted"
    assert [m["kind"] for m in await _outbox(second.enrollment_id)] == ["waitlisted"]
    await service.cancel(first.enrollment_id, base_url=BASE_URL)
    assert [(m["channel"], m["kind"]) for m in await _outbox(first.enrollment_id)] == [
        ("sms", "confirmation"),
        ("sms", "cancelled"),
    ]
    cancelled = (await _outbox(first.enrollment_id))[1]["body_text"]
    assert "已按您的要求取消" in cancelled
    assert [m["kind"] for m in await _outbox(second.enrollment_id)] == ["waitlisted", "promotion"]


async def test_a_rejection_reaches_a_phone_only_teacher(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties, mode="approval")
    outcome = await service.register(session_id, registration(counties[0], 1, email=""), base_url=BASE_URL)
    assert outcome.status == "pending"
    await service.decide(session_id, [outcome.enrollment_id], approve=False, base_url=BASE_URL, actor=None)
    assert [m["kind"] for m in await _outbox(outcome.enrollment_id)] == ["pending", "rejected"]
    assert all(m["channel"] == "sms" for m in await _outbox(outcome.enrollment_id))


async def test_the_preference_and_opt_out_are_kept(adb: Any) -> None:
    counties = await make_counties()
    session_id = await make_session(counties)
    outcome = await service.register(
        session_id,
        registration(counties[0], 1, channel="email", essential_only="1"),
        base_url=BASE_URL,
    )
    rows = await db.fetch('SELECT "teacher" FROM "enrollment" WHERE "id" = {}', outcome.enrollment_id)
    assert await preferences.load(int(rows[0]["teacher"])) == ("email", True)


def test_the_form_offers_sms_and_makes_email_optional(client: Any) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    page = client.get(f"/sessions/{session_id}/register").text
    assert "电子邮箱（选填）" in page and 'name="channel"' in page and 'name="essential_only"' in page
    values = registration(counties[0], 1, email="", channel="email")
    values["_csrf_token"] = csrf_token(client)
    refused = client.post(f"/sessions/{session_id}/register", data=values)
    assert refused.status_code == 422
    assert 'id="e-email"' in refused.text and 'value="email" checked' in refused.text
    values["channel"] = "sms"
    accepted = client.post(f"/sessions/{session_id}/register", data=values, follow_redirects=False)
    assert accepted.status_code in (302, 303)


def test_the_api_registers_without_email(client: Any) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    values = registration(counties[0], 1)
    del values["email"]
    body = {**values, "county": counties[0], "years_teaching": 12, "consent": True, "channel": "sms"}
    response = client.post(f"/api/v1/sessions/{session_id}/registrations", json=body)
    assert response.status_code in (200, 201), response.text
    assert response.json()["status"] == "confirmed"

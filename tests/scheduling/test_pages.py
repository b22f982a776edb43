"""The organiser pages through the real app: forms keep what was typed and show errors next to the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from tests.scheduling.factories import ORGANISER, block, programme, session_draft
from training.programmes import service, sessions
from training.programmes.tables import Block, TrainingSession


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False)


SESSION_FORM = {
    "title": "第10期暑期教师培训班",
    "number": "10",
    "starts_on": "2020-07-15",
    "ends_on": "2020-07-18",
    "host_city": "剑阁县",
    "venue": "剑阁县教师进修学校",
    "capacity": "150",
    "mode": "open",
    "registration_opens_at": "2020-05-10T09:00",
    "registration_closes_at": "2020-06-30T18:00",
    "completion_kind": "hours",
    "completion_value": "18",
    "contact_name": "李老师",
}


def test_an_organiser_creates_a_session_through_the_form(client) -> None:
    pid = run_sync(programme())
    login_as(client, "organiser")
    assert client.get(f"/admin/sessions/new?programme={pid}").status_code == 200
    response = post(client, "/admin/sessions/new", {**SESSION_FORM, "programme_id": str(pid)})
    assert response.status_code == 302, response.text
    page = client.get(response.headers["location"])
    assert "第10期暑期教师培训班" in page.text
    assert "2020-05-10 09:00" in page.text  # China time, as typed


def test_a_bad_form_shows_the_message_next_to_the_field_keeps_the_input_and_changes_nothing(client) -> None:
    pid = run_sync(programme())
    login_as(client, "organiser")
    response = post(
        client,
        "/admin/sessions/new",
        {
            **SESSION_FORM,
            "programme_id": str(pid),
            "ends_on": "2020-07-10",
            "registration_closes_at": "2020-07-16T09:00",
        },
    )
    assert response.status_code == 400
    assert 'id="e-ends_on"' in response.text and "最后一天早于第一天" in response.text
    assert 'id="e-registration_closes_at"' in response.text
    assert 'value="第10期暑期教师培训班"' in response.text
    assert run_sync(TrainingSession.count().run()) == 0


def test_the_messages_switch_to_english(client) -> None:
    pid = run_sync(programme())
    login_as(client, "organiser")
    client.get("/lang/en")
    response = post(
        client, "/admin/sessions/new", {**SESSION_FORM, "programme_id": str(pid), "ends_on": "2020-07-10"}
    )
    assert "The last day is before the first day." in response.text


def test_capacity_below_held_seats_is_refused_on_the_page_with_the_number(client) -> None:
    from tests.scheduling.factories import enrollments

    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid, capacity=20)))
    run_sync(enrollments(sid, cid, 12))
    login_as(client, "organiser")
    response = post(
        client, f"/admin/sessions/{sid}/edit", {**SESSION_FORM, "programme_id": str(pid), "capacity": "10"}
    )
    assert response.status_code == 400
    assert "12" in response.text.split('id="e-capacity"')[1].split("</p>")[0]
    assert run_sync(sessions.get_session(sid)).capacity == 20


def test_quotas_page_refuses_a_total_above_capacity(client) -> None:
    pid = run_sync(programme())
    a = run_sync(kit.county())
    b = run_sync(kit.county("511622", "武胜县"))
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid, capacity=20)))
    login_as(client, "organiser")
    response = post(
        client,
        f"/admin/sessions/{sid}/quotas",
        {f"eligible_{a}": "on", f"quota_{a}": "15", f"eligible_{b}": "on", f"quota_{b}": "10"},
    )
    assert response.status_code == 400
    assert 'id="e-quotas"' in response.text and "25" in response.text
    response = post(
        client,
        f"/admin/sessions/{sid}/quotas",
        {
            f"eligible_{a}": "on",
            f"quota_{a}": "10",
            f"eligible_{b}": "on",
            "release_unused_quota_on": "2020-07-01",
        },
    )
    assert response.status_code == 302
    assert {(q.county, q.quota) for q in run_sync(service.get_quotas(sid))} == {(a, 10), (b, None)}


def test_a_whole_day_and_an_overlapping_block_on_the_timetable_page(client) -> None:
    pid = run_sync(programme())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid)))
    login_as(client, "organiser")
    response = post(
        client,
        f"/admin/sessions/{sid}/day",
        {
            "day": "2020-07-15",
            "morning": "on",
            "morning_topic": "开班仪式",
            "afternoon": "on",
            "afternoon_topic": "专题讲座",
        },
    )
    assert response.status_code == 302
    response = post(
        client,
        f"/admin/sessions/{sid}/blocks",
        {"day": "2020-07-15", "half_day": "morning", "starts_at": "10:00", "ends_at": "12:00"},
    )
    assert response.status_code == 400
    assert 'id="e-starts_at"' in response.text and "开班仪式" in response.text
    response = post(client, f"/admin/sessions/{sid}/blocks", {"day": "2020-07-25", "half_day": "evening"})
    assert 'id="e-day"' in response.text
    assert run_sync(Block.count().run()) == 2
    page = client.get(f"/admin/sessions/{sid}/timetable")
    assert "专题讲座" in page.text


def test_editing_a_closed_session_is_refused_on_the_page(client) -> None:
    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid)))
    run_sync(service.set_quotas(ORGANISER, sid, {cid: 10}, None))
    run_sync(service.add_blocks(ORGANISER, sid, [block()]))
    run_sync(service.set_status(ORGANISER, sid, "published"))
    run_sync(service.set_status(ORGANISER, sid, "closed"))
    login_as(client, "organiser")
    response = post(
        client, f"/admin/sessions/{sid}/edit", {**SESSION_FORM, "programme_id": str(pid), "title": "x"}
    )
    assert response.status_code == 400
    assert "已结束" in response.text or "closed" in response.text
    assert run_sync(sessions.get_session(sid)).title == "第10期暑期教师培训班"


@pytest.mark.parametrize("role", ["coordinator", "staff"])
def test_organiser_pages_are_forbidden_to_other_staff(client, role: str) -> None:
    cid = run_sync(kit.county())
    login_as(client, role, cid if role == "coordinator" else None)
    for path in (
        "/admin/programmes",
        "/admin/sessions/new",
        "/admin/counties",
        "/admin/audit",
        "/admin/calendar",
    ):
        assert client.get(path).status_code == 403, path


def test_every_page_renders(client) -> None:
    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid)))
    run_sync(service.set_quotas(ORGANISER, sid, {cid: 10}, None))
    (bid,) = run_sync(service.add_blocks(ORGANISER, sid, [block()]))
    login_as(client, "organiser")
    for path in (
        "/admin",
        "/admin/programmes",
        f"/admin/programmes/{pid}/edit",
        f"/admin/sessions/{sid}",
        f"/admin/sessions/{sid}/edit",
        f"/admin/sessions/{sid}/quotas",
        f"/admin/sessions/{sid}/timetable",
        f"/admin/blocks/{bid}/edit",
        "/admin/calendar",
        "/admin/counties",
        f"/admin/counties/{cid}",
        "/admin/audit",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:2000])


def test_session_ics_export_and_the_public_file_only_for_published_sessions(client) -> None:
    from training.programmes.ics import unfold

    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid)))
    run_sync(service.set_quotas(ORGANISER, sid, {cid: 10}, None))
    run_sync(service.add_blocks(ORGANISER, sid, [block(topic="开班仪式"), block(half="afternoon")]))
    assert client.get(f"/calendar/sessions/{sid}").status_code == 404  # a draft is not public
    login_as(client, "organiser")
    response = client.get(f"/admin/sessions/{sid}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    lines = unfold(response.text)
    assert lines.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:第10期暑期教师培训班：开班仪式" in lines
    assert f"UID:session-{sid}-block-1@testserver.local" in lines or any(
        line.startswith(f"UID:session-{sid}-block-") for line in lines
    )
    run_sync(service.set_status(ORGANISER, sid, "published"))
    public = client.get(f"/calendar/sessions/{sid}")
    assert public.status_code == 200 and "BEGIN:VCALENDAR" in public.text
    feed = client.get("/admin/calendar.ics")
    assert feed.status_code == 200

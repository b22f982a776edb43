"""Naming an existing teacher's ID number never takes over her record: the new enrollment links to her, what
differs waits as a pending change, mails go to the contact on file, her look-up keeps working (docs/people.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.enrollment.factory import BASE_URL, fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, csrf_token, login_as
from training import keys
from training.audit.tables import AuditEntry
from training.enrollment import service
from training.enrollment.tables import Enrollment
from training.errors import DomainError
from training.mail.tables import OutboxMessage
from training.people.tables import Teacher, TeacherChangeRequest

REAL_PHONE = "13900000001"
OTHER_PHONE = "18612345678"
OTHER_EMAIL = "someone.else@example.net"


def _teacher() -> dict[str, Any]:
    rows = fetch(Teacher.select())
    assert len(rows) == 1, "one person, never a second record"
    return rows[0]


def _record_unchanged(before: dict[str, Any]) -> None:
    after = _teacher()
    for column in (
        "name",
        "phone_hash",
        "phone_encrypted",
        "email",
        "county",
        "school_name",
        "subject",
        "title",
    ):
        assert after[column] == before[column], column


def _lookup(id_number: str, phone: str) -> list[Any] | None:
    try:
        return run_sync(service.lookup(id_number, phone, "127.0.0.1"))
    except DomainError as exc:
        assert exc.code == "lookup_not_found"
        return None


def _assert_pending(summary_fields: set[str], origin: str) -> dict[str, Any]:
    requests = fetch(TeacherChangeRequest.select())
    assert len(requests) == 1
    request = requests[0]
    assert request["status"] == "pending" and request["origin"] == origin
    summary = request["summary"] if isinstance(request["summary"], dict) else json.loads(request["summary"])
    assert summary_fields <= set(summary)
    # personal values are masked in the summary and never stored plain anywhere in the row
    stored = json.dumps(request, default=str, ensure_ascii=False)
    assert OTHER_PHONE not in stored and OTHER_EMAIL not in stored
    assert summary["phone"] == ["139****0001", "186****5678"]
    audit = [
        a
        for a in fetch(AuditEntry.select().where(AuditEntry.action == "propose_change"))
        if a["entity"] == "teacher"
    ]
    assert len(audit) == 1
    changes = (
        audit[0]["changes"] if isinstance(audit[0]["changes"], dict) else json.loads(audit[0]["changes"])
    )
    assert changes["phone"] == ["139****0001", "186****5678"] and changes["via"] == origin
    assert OTHER_PHONE not in json.dumps(changes) and OTHER_EMAIL not in json.dumps(changes)
    return request


def _two_sessions(mode: str = "open") -> tuple[list[int], int, int]:
    counties = run_sync(make_counties())
    first = run_sync(make_session(counties, capacity=20))
    second = run_sync(make_session(counties, capacity=20, mode=mode, title="第11期"))
    return counties, first, second


def _enrolled(counties: list[int], session_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    values = registration(counties[0], 1)
    run_sync(service.register(session_id, values, base_url=BASE_URL))
    return values, _teacher()


def _impostor(values: dict[str, Any], county: int | None = None) -> dict[str, Any]:
    return {
        **values,
        "phone": OTHER_PHONE,
        "email": OTHER_EMAIL,
        "school": "剑阁县第一中学",
        "county": str(county) if county is not None else values["county"],
    }


def test_the_public_form_with_her_id_number_leaves_her_record_and_look_up_alone(
    client: TestClient[Any],
) -> None:
    counties, first, second = _two_sessions()
    values, before = _enrolled(counties, first)
    response = client.post(
        f"/sessions/{second}/register",
        data={**_impostor(values), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 302
    _record_unchanged(before)
    enrollments = fetch(Enrollment.select().order_by(Enrollment.id))
    assert len(enrollments) == 2 and {e["teacher"] for e in enrollments} == {before["id"]}
    request = _assert_pending({"phone", "email", "school_name"}, "online")
    assert request["enrollment_id"] == enrollments[1]["id"]
    # the new enrollment's mail goes to the address on file, so the real teacher learns of it
    recipients = [m["to_addr"] for m in fetch(OutboxMessage.select().order_by(OutboxMessage.id))]
    assert len(recipients) == 2 and all(values["email"] in r for r in recipients)
    assert not any(OTHER_EMAIL in r for r in recipients)
    real = _lookup(values["id_number"], REAL_PHONE)
    assert real is not None and len(real) == 2
    assert _lookup(values["id_number"], OTHER_PHONE) is None


def test_the_json_api_with_her_id_number_leaves_her_record_alone(client: TestClient[Any]) -> None:
    counties, first, second = _two_sessions()
    values, before = _enrolled(counties, first)
    response = client.post(
        f"/api/v1/sessions/{second}/registrations",
        json={**_impostor(values), "name": "李四"},
        headers=csrf_headers(client),
    )
    assert response.status_code in (200, 201), response.text
    _record_unchanged(before)
    _assert_pending({"phone", "email", "school_name", "name"}, "online")
    # the new enrollment (roster, certificate) carries the name on file, not the typed one
    printed = fetch(Enrollment.select(Enrollment.teacher_name).order_by(Enrollment.id))
    assert [e["teacher_name"] for e in printed] == [before["name"], before["name"]]
    assert _lookup(values["id_number"], REAL_PHONE) is not None
    assert _lookup(values["id_number"], OTHER_PHONE) is None


def test_a_coordinator_nominating_her_own_countys_teacher_proposes_but_does_not_change(
    client: TestClient[Any],
) -> None:
    counties, first, second = _two_sessions(mode="nomination")
    values, before = _enrolled(counties, first)
    login_as(client, "coordinator", county_id=counties[0])
    response = client.post(
        f"/nominations/{second}",
        data={**_impostor(values), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 302
    _record_unchanged(before)
    _assert_pending({"phone", "email", "school_name"}, "nomination")
    assert _lookup(values["id_number"], REAL_PHONE) is not None
    assert _lookup(values["id_number"], OTHER_PHONE) is None
    nominate = fetch(AuditEntry.select().where(AuditEntry.action == "nominate"))
    assert len(nominate) == 1


def test_a_coordinator_of_another_county_cannot_nominate_or_move_her(client: TestClient[Any]) -> None:
    counties, first, second = _two_sessions(mode="nomination")
    values, before = _enrolled(counties, first)
    login_as(client, "coordinator", county_id=counties[2])
    # she is typed in as a teacher of the coordinator's own county
    response = client.post(
        f"/nominations/{second}",
        data={**_impostor(values, counties[2]), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "其他县" in response.text
    _record_unchanged(before)
    assert fetch(Enrollment.count()) == 1
    assert fetch(TeacherChangeRequest.count()) == 0
    # and she cannot be picked from the other county's search either
    found = client.get(f"/nominations/{second}?q={values['name']}")
    assert (
        found.status_code == 200 and values["name"] not in found.text.split("found-teachers")[-1][:2000]
    ) or ("found-teachers" not in found.text)
    picked = client.post(
        f"/nominations/{second}/teacher/{before['id']}",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert picked.status_code == 403
    assert fetch(Enrollment.count()) == 1


def test_a_coordinator_picks_her_own_countys_teacher_from_the_search(client: TestClient[Any]) -> None:
    counties, first, second = _two_sessions(mode="nomination")
    values, before = _enrolled(counties, first)
    login_as(client, "coordinator", county_id=counties[0])
    page = client.get(f"/nominations/{second}?q=实验小学")
    assert page.status_code == 200 and values["name"] in page.text
    assert before["phone_masked"] in page.text and REAL_PHONE not in page.text
    assert values["id_number"] not in page.text
    picked = client.post(
        f"/nominations/{second}/teacher/{before['id']}",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert picked.status_code == 302
    rows = fetch(Enrollment.select().where(Enrollment.session == second))
    assert [r["status"] for r in rows] == ["nominated"] and rows[0]["teacher"] == before["id"]
    assert fetch(TeacherChangeRequest.count()) == 0
    _record_unchanged(before)


@pytest.mark.parametrize("a_year_later", [True, False])
def test_a_returning_teacher_with_the_same_details_proposes_nothing(adb: Any, a_year_later: bool) -> None:
    """Years of teaching follow the latest submission (they grow by themselves); nothing else differs."""
    counties, first, second = _two_sessions()
    values, _ = _enrolled(counties, first)
    again = {**values, "years_teaching": "13"} if a_year_later else values
    run_sync(service.register(second, again, base_url=BASE_URL))
    assert fetch(TeacherChangeRequest.count()) == 0
    assert _teacher()["years_teaching"] == (13 if a_year_later else 12)


def test_the_link_of_an_unproven_registration_shows_none_of_her_other_trainings(
    client: TestClient[Any], settings: Any
) -> None:
    """Her history, certificates and their links stay off the page whose link went to whoever typed her ID."""
    from tests.ledger.test_my_hours import _two_years
    from training.core.links import make_link_token
    from training.people import requests as change_requests

    old, new, _ = _two_years(settings)
    teacher_id = int(
        fetch(Enrollment.select(Enrollment.teacher).where(Enrollment.id == new).first())["teacher"]
    )
    token = make_link_token(keys.current().teacher_link, new)
    assert "第7期暑期教师培训班" in client.get(f"/me/{token}").text  # her own link: her whole history
    run_sync(
        change_requests.propose(
            teacher_id, {"phone": OTHER_PHONE}, origin="online", enrollment_id=new, actor=None
        )
    )
    page = client.get(f"/me/{token}").text
    assert "第7期暑期教师培训班" not in page
    assert make_link_token(keys.current().teacher_link, old) not in page
    statement = client.get(f"/me/{token}/hours-statement.pdf")
    assert statement.status_code in (200, 404)
    if statement.status_code == 200:
        from tests.ledger.test_my_hours import _pdf_text

        assert "第7期" not in _pdf_text(statement.content)

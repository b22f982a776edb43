"""Jiangsu nominations by county coordinators; organiser rosters with filters, search and export; the JSON API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient
from openpyxl import load_workbook

from tests.enrollment.factory import COUNTIES, fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, csrf_token, login_as
from training.enrollment.tables import Enrollment
from training.mail.tables import OutboxMessage


def _nominate(client: TestClient[Any], session_id: int, values: dict[str, Any]) -> Any:
    return client.post(
        f"/nominations/{session_id}",
        data={**values, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def test_a_coordinator_nominates_within_the_quota_and_only_for_their_county(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=6, quotas=[2, 2, 2], mode="nomination"))
    login_as(client, "coordinator", county_id=counties[0])
    assert client.get("/nominations").status_code == 200
    ok = [_nominate(client, session_id, registration(counties[0], n)) for n in (1, 2)]
    assert [r.status_code for r in ok] == [302, 302]
    full = _nominate(client, session_id, registration(counties[0], 3))
    assert full.status_code == 409 and "名额已用完" in full.text
    other = _nominate(client, session_id, registration(counties[1], 4, county_code=COUNTIES[1][0]))
    assert other.status_code == 403 and "只能推荐本县教师" in other.text
    rows = fetch(Enrollment.select())
    assert [r["status"] for r in rows] == ["nominated", "nominated"]
    # each nominee is told (to confirm or decline); the refused ones are not
    kinds = [r["kind"] for r in fetch(OutboxMessage.select(OutboxMessage.kind))]
    assert kinds == ["nominated", "nominated"]
    # the coordinator sees only their county in rosters, even when asking for another
    roster = client.get(f"/api/v1/sessions/{session_id}/roster?county={counties[1]}")
    assert roster.status_code == 200 and roster.json()["total"] == 2
    assert all(r["county"] == "剑阁县" for r in roster.json()["rows"])
    assert client.get(f"/api/v1/sessions/{session_id}/decisions").status_code in (403, 405)


def test_nominations_close_at_the_deadline(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(
        make_session(
            counties,
            capacity=6,
            quotas=[2, 2, 2],
            mode="nomination",
            nomination_deadline=datetime.now(UTC) - timedelta(minutes=1),
        )
    )
    login_as(client, "coordinator", county_id=counties[0])
    response = _nominate(client, session_id, registration(counties[0], 1))
    assert response.status_code == 409 and "推荐已截止" in response.text


def test_organisers_select_nominees_who_then_get_the_confirmation_email(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=6, quotas=[2, 2, 2], mode="nomination"))
    login_as(client, "organiser")
    for n in (1, 2):
        assert _nominate(client, session_id, registration(counties[0], n)).status_code == 302
    ids = [r["id"] for r in fetch(Enrollment.select(Enrollment.id).order_by(Enrollment.id))]
    asked = client.post(
        f"/admin/enrollment/sessions/{session_id}/decide",
        data={"ids": [str(ids[0])], "action": "approve", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    # the first step only says what will happen; nothing changed yet
    assert asked.status_code == 200 and "通过 1 条报名" in asked.text
    assert fetch(Enrollment.select(Enrollment.status).order_by(Enrollment.id))[0]["status"] == "nominated"
    response = client.post(
        f"/admin/enrollment/sessions/{session_id}/decide",
        data={"ids": [str(ids[0])], "action": "approve", "confirm": "1", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 302
    api = client.post(
        f"/api/v1/sessions/{session_id}/decisions",
        json={"enrollment_ids": [ids[1]], "action": "reject"},
        headers=csrf_headers(client),
    )
    assert api.status_code == 200 and api.json()["changed"] == [ids[1]]
    statuses = [r["status"] for r in fetch(Enrollment.select(Enrollment.status).order_by(Enrollment.id))]
    assert statuses == ["confirmed", "rejected"]
    kinds = sorted(r["kind"] for r in fetch(OutboxMessage.select(OutboxMessage.kind)))
    assert kinds == ["confirmation", "nominated", "nominated", "rejected"]


def test_roster_filters_search_by_name_and_phone_and_exports_masked_ids(client: TestClient[Any]) -> None:
    from training.enrollment import service

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=3))
    for n in range(1, 5):
        county = counties[n % 2]
        run_sync(
            service.register(
                session_id,
                registration(
                    county,
                    n,
                    county_code=COUNTIES[n % 2][0],
                    school="剑阁县第一中学" if n == 2 else "剑阁县实验小学",
                ),
                base_url="http://x",
            )
        )
    login_as(client, "organiser")
    page = client.get(f"/admin/enrollment/sessions/{session_id}?status=waitlisted")
    assert page.status_code == 200 and "王老师4" in page.text and "王老师1" not in page.text
    by_phone = client.get(f"/api/v1/sessions/{session_id}/roster?q=13900000002").json()
    assert [r["name"] for r in by_phone["rows"]] == ["王老师2"]
    by_name = client.get(f"/api/v1/sessions/{session_id}/roster?q=老师3").json()
    assert [r["name"] for r in by_name["rows"]] == ["王老师3"]
    by_school = client.get(f"/api/v1/sessions/{session_id}/roster?school=第一中学").json()
    assert [r["name"] for r in by_school["rows"]] == ["王老师2"]
    by_county = client.get(f"/api/v1/sessions/{session_id}/roster?county={counties[1]}").json()
    assert sorted(r["name"] for r in by_county["rows"]) == ["王老师1", "王老师3"]

    exported = client.get(f"/admin/enrollment/sessions/{session_id}/export?format=csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["姓名", "性别", "民族", "身份证号"]
    full_ids = {registration(counties[0], n)["id_number"] for n in range(1, 5)}
    assert len(rows) == 5 and all("*" in r[3] and r[3] not in full_ids for r in rows[1:])
    xlsx = client.get(f"/admin/enrollment/sessions/{session_id}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5 and all("*" in str(v[3]) for v in values[1:])


def test_staff_without_rights_cannot_see_rosters(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    assert client.get(f"/api/v1/sessions/{session_id}/roster").status_code == 401
    login_as(client, "staff")
    assert client.get(f"/api/v1/sessions/{session_id}/roster").status_code == 403
    assert client.get(f"/admin/enrollment/sessions/{session_id}").status_code == 403


def test_json_api_registers_and_answers_machine_readable_reasons(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=1))
    sessions = client.get("/api/v1/open-sessions").json()
    assert sessions[0]["id"] == session_id and sessions[0]["counties"][0]["seats_left"] == 1
    body = {**registration(counties[0], 1), "county": counties[0], "years_teaching": 12, "consent": True}
    created = client.post(f"/api/v1/sessions/{session_id}/registrations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "confirmed" and created.json()["manual_code"][4] == "-"
    again = client.post(f"/api/v1/sessions/{session_id}/registrations", json=body)
    assert again.status_code == 200 and again.json()["created"] is False
    waiting = client.post(
        f"/api/v1/sessions/{session_id}/registrations",
        json={**registration(counties[0], 2), "county": counties[0], "years_teaching": 3, "consent": True},
    )
    assert waiting.json()["status"] == "waitlisted" and waiting.json()["waitlist_position"] == 1
    bad = client.post(
        f"/api/v1/sessions/{session_id}/registrations",
        json={**body, "id_number": "510823198503070001", "phone": "123", "consent": False},
    )
    assert bad.status_code == 422
    assert bad.json()["error"] == "validation_failed"
    assert bad.json()["fields"] == {
        "id_number": "id_checksum",
        "phone": "mobile_invalid",
        "consent": "consent_required",
    }
    missing = client.post(f"/api/v1/sessions/{session_id}/registrations", json={"name": "x"})
    assert missing.status_code == 400 and missing.json()["error"] == "bad_request"
    assert client.post("/api/v1/sessions/999/registrations", json=body).status_code == 404
    token = created.json()["self_service_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/me/{token}").json()["status"] == "confirmed"
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/sessions/{session_id}/registrations" in schema["paths"]
    assert "/api/v1/sessions/{session_id}/roster" in schema["paths"]


def test_exported_cells_cannot_become_spreadsheet_formulas() -> None:
    from training.enrollment.rosters import _cell

    assert _cell('=HYPERLINK("http://x","点我")') == '\'=HYPERLINK("http://x","点我")'
    assert _cell("+86 139") == "'+86 139" and _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("王老师") == "王老师" and _cell(12) == 12


def test_staff_actions_are_recorded_in_the_audit_log(client: TestClient[Any]) -> None:
    from training.audit.tables import AuditEntry

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=6, quotas=[2, 2, 2], mode="nomination"))
    login_as(client, "organiser")
    assert _nominate(client, session_id, registration(counties[0], 1)).status_code == 302
    enrollment_id = fetch(Enrollment.select(Enrollment.id).first())["id"]
    client.post(
        f"/admin/enrollment/sessions/{session_id}/decide",
        data={
            "ids": [str(enrollment_id)],
            "action": "approve",
            "confirm": "1",
            "_csrf_token": csrf_token(client),
        },
    )
    client.get(f"/admin/enrollment/sessions/{session_id}/export?format=csv")
    client.post(
        f"/admin/enrollment/enrollments/{enrollment_id}/cancel", data={"_csrf_token": csrf_token(client)}
    )
    entries = fetch(AuditEntry.select().where(AuditEntry.entity != "staff_user").order_by(AuditEntry.id))
    assert [e["action"] for e in entries] == ["nominate", "approve", "export_roster", "cancel"]
    assert all(e["actor_name"].lower().startswith("organiser") for e in entries)


def test_a_coordinator_withdraws_a_nomination_and_the_quota_seat_frees(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=6, quotas=[1, 2, 3], mode="nomination"))
    login_as(client, "coordinator", county_id=counties[0])
    assert _nominate(client, session_id, registration(counties[0], 1)).status_code == 302
    assert _nominate(client, session_id, registration(counties[0], 2)).status_code == 409  # quota of 1 used
    enrollment_id = fetch(Enrollment.select(Enrollment.id).first())["id"]
    response = client.post(
        f"/nominations/{session_id}/withdraw/{enrollment_id}",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert fetch(Enrollment.select(Enrollment.status).first())["status"] == "cancelled"
    assert _nominate(client, session_id, registration(counties[0], 2)).status_code == 302
    # another county's coordinator cannot withdraw it
    client.post("/logout", data={"_csrf_token": csrf_token(client)})
    login_as(client, "coordinator", county_id=counties[1])
    other = fetch(Enrollment.select(Enrollment.id).where(Enrollment.status == "nominated").first())["id"]
    refused = client.post(
        f"/nominations/{session_id}/withdraw/{other}", data={"_csrf_token": csrf_token(client)}
    )
    assert refused.status_code == 403


def test_the_quota_line_reads_as_chinese_with_a_full_width_colon(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=6, quotas=[2, 2, 2], mode="nomination"))
    login_as(client, "coordinator", county_id=counties[0])
    assert _nominate(client, session_id, registration(counties[0], 1)).status_code == 302
    for path in ("/nominations", f"/nominations/{session_id}"):
        assert "剑阁县：已推荐 1 / 2 人" in client.get(path).text


def test_roster_pages_show_each_waiting_teachers_place_in_the_whole_list(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=1))
    # One seat, then six waiting, alternating between two counties: places 1–6 in order of registration.
    for n in range(1, 8):
        county_id, code = (counties[0], COUNTIES[0][0]) if n % 2 else (counties[1], COUNTIES[1][0])
        body = {**registration(county_id, n, county_code=code), "county": county_id, "years_teaching": 5}
        response = client.post(f"/api/v1/sessions/{session_id}/registrations", json={**body, "consent": True})
        assert response.status_code == 201, response.text
    login_as(client, "organiser")

    def places(query: str) -> list[tuple[str, int | None]]:
        rows = client.get(f"/api/v1/sessions/{session_id}/roster?{query}").json()["rows"]
        return [(r["name"], r["waitlist_position"]) for r in rows if r["status"] == "waitlisted"]

    everyone = places("status=waitlisted")
    assert everyone == [(f"王老师{n}", n - 1) for n in range(2, 8)]
    # A filter or a later page narrows the rows, never the places: they count the whole waiting list.
    assert places(f"status=waitlisted&county={counties[1]}") == [
        ("王老师2", 1),
        ("王老师4", 3),
        ("王老师6", 5),
    ]
    assert places("status=waitlisted&limit=2&offset=3") == [("王老师5", 4), ("王老师6", 5)]

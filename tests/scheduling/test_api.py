"""The JSON API: organisers can script the whole set-up; others get 403; errors carry machine-readable reasons."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, login_as
from tests.scheduling.factories import ORGANISER, enrollments, programme, session_draft
from training.audit.tables import AuditEntry
from training.programmes import service

SESSION = {
    "title": "2020 彩虹行动 南通班",
    "starts_on": "2020-10-15",
    "ends_on": "2020-10-19",
    "capacity": 24,
    "mode": "nomination",
    "host_city": "南通市",
    "host_institution": "南通市教师发展中心",
    "nomination_deadline": "2020-09-01T10:00:00Z",
    "completion_hours": 24,
}


def api(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.request(method, path, json=body, headers=csrf_headers(client))


def test_an_organiser_scripts_a_2020_jiangsu_cohort(client) -> None:
    login_as(client, "organiser")
    counties = [
        run_sync(kit.county(code, name)) for code, name in (("513432", "喜德县"), ("513431", "昭觉县"))
    ]
    created = api(
        client, "POST", "/api/v1/programmes", {"slug": "jiangsu", "name": "彩虹行动", "kind": "exchange"}
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    response = api(client, "POST", "/api/v1/sessions", {**SESSION, "programme_id": pid})
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["status"] == "draft" and session["year"] == 2020
    sid = session["id"]
    quotas = api(
        client,
        "PUT",
        f"/api/v1/sessions/{sid}/quotas",
        {"quotas": [{"county_id": counties[0], "quota": 12}, {"county_id": counties[1], "quota": 12}]},
    )
    assert quotas.status_code == 200, quotas.text
    assert [q["quota"] for q in quotas.json()["quotas"]] == [12, 12]
    for day in ("2020-10-15", "2020-10-16"):
        day_response = api(
            client,
            "POST",
            f"/api/v1/sessions/{sid}/days",
            {
                "day": day,
                "blocks": [
                    {"day": day, "half_day": "morning", "topic": "名校观摩"},
                    {"day": day, "half_day": "afternoon"},
                ],
            },
        )
        assert day_response.status_code == 201, day_response.text
    blocks = client.get(f"/api/v1/sessions/{sid}/blocks?limit=3").json()
    assert (
        blocks["total"] == 4 and len(blocks["items"]) == 3 and blocks["limit"] == 3 and blocks["offset"] == 0
    )
    published = api(client, "POST", f"/api/v1/sessions/{sid}/status", {"status": "published"})
    assert published.status_code == 201 and published.json()["status"] == "published"
    listed = client.get("/api/v1/sessions?status=published").json()
    assert [s["title"] for s in listed["items"]] == ["2020 彩虹行动 南通班"]
    assert set(listed) == {"items", "total", "limit", "offset"}


def test_api_errors_name_the_field_and_the_reason(client) -> None:
    login_as(client, "organiser")
    pid = run_sync(programme())
    response = api(
        client, "POST", "/api/v1/sessions", {**SESSION, "programme_id": pid, "ends_on": "2020-10-01"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed" and body["fields"] == {"ends_on": "ends_before_start"}
    assert body["request_id"]


def test_api_capacity_below_held_seats_answers_with_the_number(client) -> None:
    login_as(client, "organiser")
    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid, capacity=30)))
    run_sync(enrollments(sid, cid, 11))
    response = api(client, "PATCH", f"/api/v1/sessions/{sid}", {"capacity": 10})
    assert response.status_code == 422
    assert response.json()["fields"] == {"capacity": "capacity_below_taken"}
    assert response.json()["params"]["taken"] == 11
    assert "11" in response.json()["message"] or response.json()["params"]["taken"] == 11
    ok = api(client, "PATCH", f"/api/v1/sessions/{sid}", {"capacity": 11, "venue": "新址"})
    assert ok.status_code == 200 and ok.json()["capacity"] == 11 and ok.json()["venue"] == "新址"


def test_api_overlap_and_closed_session_reasons(client) -> None:
    login_as(client, "organiser")
    pid = run_sync(programme())
    cid = run_sync(kit.county())
    sid = run_sync(service.create_session(ORGANISER, session_draft(pid)))
    first = api(
        client, "POST", f"/api/v1/sessions/{sid}/blocks", {"day": "2020-07-15", "half_day": "morning"}
    )
    assert first.status_code == 201
    clash = api(
        client,
        "POST",
        f"/api/v1/sessions/{sid}/blocks",
        {"day": "2020-07-15", "half_day": "morning", "starts_at": "09:00:00", "ends_at": "10:00:00"},
    )
    assert clash.status_code == 422 and clash.json()["fields"] == {"starts_at": "block_overlaps"}
    api(client, "PUT", f"/api/v1/sessions/{sid}/quotas", {"quotas": [{"county_id": cid, "quota": None}]})
    assert api(client, "POST", f"/api/v1/sessions/{sid}/status", {"status": "published"}).status_code == 201
    assert api(client, "POST", f"/api/v1/sessions/{sid}/status", {"status": "closed"}).status_code == 201
    refused = api(client, "PATCH", f"/api/v1/sessions/{sid}", {"title": "x"})
    assert refused.status_code == 409 and refused.json()["error"] == "session_closed"


def test_api_not_found_and_bad_body(client) -> None:
    login_as(client, "organiser")
    assert client.get("/api/v1/sessions/999").json()["error"] == "not_found"
    bad = api(client, "POST", "/api/v1/sessions", {"title": 5})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_request"


@pytest.mark.parametrize("role", ["coordinator", "staff"])
def test_the_api_is_forbidden_to_coordinators_and_staff(client, role: str) -> None:
    cid = run_sync(kit.county())
    login_as(client, role, cid if role == "coordinator" else None)
    for path in (
        "/api/v1/programmes",
        "/api/v1/sessions",
        "/api/v1/counties",
        "/api/v1/schools",
        "/api/v1/audit",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"] == "forbidden"
    assert api(client, "POST", "/api/v1/counties", {"code": "510824", "name": "苍溪县"}).status_code == 403


def test_the_api_needs_a_log_in(client) -> None:
    response = client.get("/api/v1/sessions")
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"


def test_counties_and_schools_through_the_api(client) -> None:
    login_as(client, "organiser")
    county = api(
        client, "POST", "/api/v1/counties", {"code": "510823", "name": "剑阁县", "prefecture": "广元市"}
    )
    assert county.status_code == 201 and county.json()["province"] == "四川省"
    dup = api(client, "POST", "/api/v1/counties", {"code": "510823", "name": "剑阁"})
    assert dup.status_code == 409 and dup.json()["fields"] == {"code": "county_code_taken"}
    bad = api(client, "POST", "/api/v1/counties", {"code": "510800", "name": "广元"})
    assert bad.status_code == 422 and bad.json()["fields"] == {"code": "division_code_not_county"}
    cid = county.json()["id"]
    school = api(
        client, "POST", "/api/v1/schools", {"county_id": cid, "name": "剑阁县实验小学", "level": "primary"}
    )
    assert school.status_code == 201
    assert client.get(f"/api/v1/schools?county_id={cid}").json()["total"] == 1
    csv_body = "code,name,prefecture\n511622,武胜县,广安市\n510823,剑阁县,广元市\n"
    imported = client.post(
        "/api/v1/counties/import",
        content=csv_body.encode(),
        headers={**csrf_headers(client), "content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"created": 1, "updated": 0, "unchanged": 1}
    audit = client.get("/api/v1/audit?entity=county").json()
    assert audit["total"] >= 3


def test_openapi_documents_the_v1_api(client) -> None:
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}/quotas",
        "/api/v1/sessions/{session_id}/blocks",
        "/api/v1/counties",
        "/api/v1/schools",
        "/api/v1/programmes",
        "/api/v1/audit",
    ):
        assert path in paths, path
    assert "SessionIn" in str(schema["components"]["schemas"].keys())


def test_audit_entries_name_the_staff_member(client) -> None:
    username = login_as(client, "organiser")
    run_sync(programme())
    api(client, "POST", "/api/v1/programmes", {"slug": "other", "name": "其他"})
    rows = run_sync(AuditEntry.select().where(AuditEntry.entity == "programme").run())
    assert any(r["actor_name"] == username.title() for r in rows)
    page = client.get("/admin/audit")
    assert username.title() in page.text


def test_a_session_dated_in_the_year_9999_is_refused_not_a_500(client) -> None:
    login_as(client, "organiser")
    pid = run_sync(programme())
    body = {**SESSION, "programme_id": pid, "starts_on": "9999-12-30", "ends_on": "9999-12-31"}
    for key in ("registration_opens_at", "registration_closes_at", "nomination_deadline"):
        body.pop(key, None)
    response = api(client, "POST", "/api/v1/sessions", body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == {"starts_on": "date_out_of_range", "ends_on": "date_out_of_range"}
    assert client.get("/sessions").status_code == 200

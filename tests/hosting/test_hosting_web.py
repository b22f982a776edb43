"""Hosting through the real pages: the XLSX import (happy path, per-row errors, nothing half-imported), the
pairing (draft and manual), the host coordinator's scoping on every hosting route (a Nantong host sees nothing of
Changzhou), its 403 on other pages, its scans (own teacher recorded, another city's refused), the report's XLSX."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook

from tests.hosting import world as hw
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, csrf_token, login
from tests.kit.world import create_user
from training import keys
from training.audit.tables import AuditEntry
from training.checkin.tables import CheckIn
from training.core.tokens import make_token
from training.hosting.tables import HostSchool, Mentor, Pairing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client: TestClient[Any], data: bytes, name: str = "mentors.xlsx") -> Any:
    return client.post(
        "/admin/hosting/import",
        files={"file": (name, data, XLSX)},
        data={"_csrf_token": csrf_token(client)},
    )


def _actions() -> list[str]:
    return [e["action"] for e in run_sync(AuditEntry.select(AuditEntry.action))]


def test_import_happy_path_then_reimport_updates(client: TestClient[Any]) -> None:
    create_user("org", "organiser")
    login(client, "org")
    template = client.get("/admin/hosting/template.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).worksheets[0]["A1"].value == "城市"
    answer = _upload(client, hw.xlsx(hw.ROWS))
    assert answer.status_code == 200, answer.text
    assert 'id="import-done"' in answer.text
    assert "南通市城中小学" in answer.text and "常州市局前街小学" in answer.text
    schools = run_sync(HostSchool.select(HostSchool.city, HostSchool.name).order_by(HostSchool.id))
    assert {s["city"] for s in schools} == {"南通市", "常州市"}  # "南通" is read as 南通市
    assert len(schools) == 4
    mentors = run_sync(Mentor.select(Mentor.name, Mentor.grade_band, Mentor.capacity).order_by(Mentor.id))
    assert [(m["name"], m["grade_band"], m["capacity"]) for m in mentors][:2] == [
        ("陈静", "primary", 2),
        ("周海燕", "primary", 1),
    ]
    # the same file with one capacity changed: updated in place, nothing added or deleted
    rows = [list(r) for r in hw.ROWS]
    rows[0][6] = 3
    assert _upload(client, hw.xlsx(rows)).status_code == 200
    assert run_sync(HostSchool.count()) == 4 and run_sync(Mentor.count()) == 4
    assert run_sync(Mentor.select(Mentor.capacity).where(Mentor.name == "陈静").first())["capacity"] == 3
    assert _actions().count("import_host_schools") == 2


def test_import_reports_every_row_error_with_its_line_and_imports_nothing(client: TestClient[Any]) -> None:
    create_user("org", "organiser")
    login(client, "org")
    rows = [
        ["南通市", "南通市城中小学", "崇川区", "陈静", "语文", "小学", 2],  # line 2: fine
        ["", "南通市实验小学", "", "李明", "数学", "小学", 2],  # line 3: no city
        ["南通市", "南通市实验小学", "", "张红", "烹饪", "大学", 2],  # line 4: subject and band unknown
        ["南通市", "南通市实验小学", "", "赵敏", "英语", "初中", 40],  # line 5: capacity
        ["南通市", "南通市城中小学", "", "陈静", "语文", "小学", 1],  # line 6: the same mentor again
    ]
    answer = _upload(client, hw.xlsx(rows))
    assert answer.status_code == 400
    page = answer.text
    assert 'id="import-errors"' in page
    for line, column in ((3, "城市"), (4, "学科"), (4, "学段"), (5, "可带人数"), (6, "导师")):
        assert f"<td>{line}</td><td>{column}</td>" in page, (line, column)
    assert "<td>2</td>" not in page
    assert run_sync(HostSchool.count()) == 0 and run_sync(Mentor.count()) == 0
    # a file that is not an XLSX, and one with a wrong header: refused as a whole
    assert 'id="import-refused"' in _upload(client, b"not a spreadsheet").text
    wrong = _upload(client, hw.xlsx(rows[:1], header=["学校", "城市"]))
    assert wrong.status_code == 400 and "城市、学校、区县" in wrong.text
    assert run_sync(HostSchool.count()) == 0
    assert "import_host_schools" not in _actions()


def test_draft_then_manual_pairing_and_printable_list(client: TestClient[Any]) -> None:
    world = run_sync(hw.make_world(teachers=4))
    run_sync(hw.import_schools())
    create_user("org", "organiser")
    login(client, "org")
    nantong = world.nantong.session_id
    page = client.get(f"/admin/hosting/cohorts/{nantong}/pairings")
    assert page.status_code == 200 and "南通老师3" in page.text
    drafted = client.post(f"/admin/hosting/cohorts/{nantong}/pairings/draft", headers=csrf_headers(client))
    assert drafted.status_code == 200
    # 语文/primary → 陈静; 数学/primary → 周海燕; 数学/junior → 顾建国; 英语/senior: nobody teaches English
    pairs = {
        p["enrollment"]: p["mentor.name"]
        for p in run_sync(Pairing.select(Pairing.enrollment, Pairing.mentor.name, Pairing.source))
    }
    e = world.nantong.enrollments
    assert pairs == {e[0]: "陈静", e[1]: "周海燕", e[2]: "顾建国"}
    assert 'id="unmatched"' in drafted.text and "南通老师3" in drafted.text
    # by hand: the English teacher with 陈静 (room for 2), then 周海燕 (full) is refused next to the field
    chen = run_sync(Mentor.select(Mentor.id).where(Mentor.name == "陈静").first())["id"]
    zhou = run_sync(Mentor.select(Mentor.id).where(Mentor.name == "周海燕").first())["id"]
    changzhou_mentor = run_sync(Mentor.select(Mentor.id).where(Mentor.name == "王立新").first())["id"]
    url = f"/admin/hosting/cohorts/{nantong}/pairings/{e[3]}"
    ok = client.post(
        url, data={"mentor": str(chen), "_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert ok.status_code == 302
    full = client.post(url, data={"mentor": str(zhou), "_csrf_token": csrf_token(client)})
    assert full.status_code == 422 and 'aria-invalid="true"' in full.text
    elsewhere = client.post(url, data={"mentor": str(changzhou_mentor), "_csrf_token": csrf_token(client)})
    assert elsewhere.status_code == 422
    # removing a pairing asks first
    ask = client.post(url, data={"mentor": "", "_csrf_token": csrf_token(client)})
    assert ask.status_code == 200 and 'name="confirm"' in ask.text
    assert run_sync(Pairing.count().where(Pairing.enrollment == e[3])) == 1
    client.post(url, data={"mentor": "", "confirm": "1", "_csrf_token": csrf_token(client)})
    assert run_sync(Pairing.count().where(Pairing.enrollment == e[3])) == 0
    printed = client.get(f"/host/cohorts/{nantong}/pairings/print").text
    assert "南通市城中小学" in printed and "陈静" in printed and "南通老师3" in printed
    assert {"draft_pairings", "pair"} <= set(_actions())


@pytest.fixture
def hosted(client: TestClient[Any]) -> hw.World:
    world = run_sync(hw.make_world())
    run_sync(hw.import_schools())
    run_sync(hw.travel_and_room(world.nantong, "G1976", "南通大饭店"))
    run_sync(hw.travel_and_room(world.changzhou, "D3072", "常州宾馆"))
    create_user("org", "organiser")
    login(client, "org")
    client.post(
        f"/admin/hosting/cohorts/{world.nantong.session_id}/pairings/draft", headers=csrf_headers(client)
    )
    client.post(
        f"/admin/hosting/cohorts/{world.changzhou.session_id}/pairings/draft", headers=csrf_headers(client)
    )
    client.cookies.clear()
    create_user("nantong", "host", host_city="南通市")
    create_user("changzhou", "host", host_city="常州市")
    return world


def _hosting_routes(own: int, other: int) -> list[tuple[str, str, int, int]]:
    """(method, path with a cohort, expected for its own city, expected for the other city)."""
    return [
        ("GET", "/host/cohorts/{}", 200, 403),
        ("GET", "/host/cohorts/{}/pairings/print", 200, 403),
        ("GET", "/host/cohorts/{}/report", 200, 403),
        ("GET", "/host/cohorts/{}/report.xlsx", 200, 403),
        ("GET", "/api/v1/hosting/cohorts/{}/teachers", 200, 403),
        ("GET", "/admin/hosting/cohorts/{}/pairings", 403, 403),
        ("POST", "/admin/hosting/cohorts/{}/pairings/draft", 403, 403),
        ("POST", "/admin/hosting/cohorts/{}/pairings/1", 403, 403),
    ]


def test_a_nantong_host_sees_nothing_of_changzhou(client: TestClient[Any], hosted: hw.World) -> None:
    login(client, "nantong")
    headers = csrf_headers(client)
    own, other = hosted.nantong.session_id, hosted.changzhou.session_id
    for method, path, mine, theirs in _hosting_routes(own, other):
        assert client.request(method, path.format(own), headers=headers).status_code == mine, path
        assert client.request(method, path.format(other), headers=headers).status_code == theirs, path
    home = client.get("/host")
    assert home.status_code == 200 and "南通班" in home.text and "常州班" not in home.text
    cohorts = client.get("/api/v1/hosting/cohorts").json()
    assert [c["host_city"] for c in cohorts] == ["南通市"]
    page = client.get(f"/host/cohorts/{own}").text
    assert "南通老师0" in page and "陈静" in page and "常州老师" not in page and "王立新" not in page
    # travel and rooms from the exchange package: its own teachers', masked phone, nothing of Changzhou's
    assert "G1976" in page and "138****5678" in page and "南通大饭店 501" in page and "南通老师1" in page
    assert "D3072" not in page and "常州宾馆" not in page
    report = client.get(f"/host/cohorts/{own}/report").text
    assert "南通老师0" in report and "常州老师" not in report
    # the organiser-only pages of hosting
    for path in ("/admin/hosting", "/admin/hosting/template.xlsx"):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/hosting/import", headers=headers).status_code == 403


def test_the_changzhou_host_sees_only_changzhou(client: TestClient[Any], hosted: hw.World) -> None:
    login(client, "changzhou")
    assert client.get(f"/host/cohorts/{hosted.changzhou.session_id}").status_code == 200
    assert client.get(f"/host/cohorts/{hosted.nantong.session_id}").status_code == 403
    assert "南通班" not in client.get("/host").text


def test_a_host_is_refused_everywhere_else_and_its_nav_shows_only_its_pages(
    client: TestClient[Any], hosted: hw.World
) -> None:
    login(client, "nantong")
    for path in (
        "/admin",
        "/admin/accounts",
        "/admin/enrollment",
        "/nominations",
        "/admin/teachers",
        "/admin/counties",
        "/admin/ledger",
        "/stats",
        "/stats/export.xlsx",
        "/admin/audit",
        "/admin/mail",
        "/admin/broadcast",
        "/admin/certificates",
        "/checkin/dashboard",
        "/account/tokens",
        "/api/v1/counties",
        "/api/v1/audit",
        "/api/v1/sessions",
        f"/checkin/sessions/{hosted.nantong.session_id}/badges.pdf",
        f"/api/v1/checkin/blocks/{hosted.nantong.blocks[0]}/dashboard",
    ):
        assert client.get(path).status_code == 403, path
    page = client.get("/host").text
    nav = page.split('class="topnav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count("<a ") == 2, nav  # its teachers and the scanner, nothing else
    assert "/host" in nav and "/checkin/scan" in nav


def test_a_host_scans_its_own_teacher_and_not_a_changzhou_teacher(
    client: TestClient[Any], hosted: hw.World
) -> None:
    login(client, "nantong")
    headers = csrf_headers(client)
    scanner = client.get("/checkin/scan").text
    assert "南通班" in scanner and "常州班" not in scanner

    def redeem(enrollment_id: int, block_id: int) -> Any:
        body = {
            "code": make_token(keys.current().qr_token, enrollment_id),
            "block_id": block_id,
            "client_id": uuid.uuid4().hex,
        }
        return client.post("/api/v1/checkin/redeem", json=body, headers=headers)

    own = redeem(hosted.nantong.enrollments[0], hosted.nantong.blocks[0])
    assert own.status_code == 200 and own.json()["status"] == "ok"
    # a Changzhou teacher on a Changzhou block: not this host's session at all
    refused = redeem(hosted.changzhou.enrollments[0], hosted.changzhou.blocks[0])
    assert refused.status_code == 403 and refused.json()["error"] == "not_assigned"
    # a Changzhou teacher's code shown on a Nantong block: not enrolled here, nothing recorded
    wrong = redeem(hosted.changzhou.enrollments[0], hosted.nantong.blocks[0])
    assert wrong.json()["status"] == "wrong_session"
    assert client.get(f"/api/v1/checkin/blocks/{hosted.changzhou.blocks[0]}/roster").status_code == 403
    # the block's sheet (undo a mis-scan): its own cohort's block only
    assert client.get(f"/checkin/blocks/{hosted.nantong.blocks[0]}/attendance").status_code == 200
    assert client.get(f"/checkin/blocks/{hosted.changzhou.blocks[0]}/attendance").status_code == 403
    recorded = run_sync(CheckIn.select(CheckIn.enrollment, CheckIn.staff_name))
    assert [(r["enrollment"], r["staff_name"]) for r in recorded] == [
        (hosted.nantong.enrollments[0], "Nantong")
    ]


def test_the_cohort_report_xlsx_opens_and_is_audited(client: TestClient[Any], hosted: hw.World) -> None:
    login(client, "nantong")
    answer = client.get(f"/host/cohorts/{hosted.nantong.session_id}/report.xlsx")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "彩虹行动 南通班"
    assert rows[1][:7] == ["姓名", "县", "学校", "学科", "学段", "跟岗学校", "导师"]
    names = {r[0] for r in rows[2:]}
    assert names == {"南通老师0", "南通老师1", "南通老师2"}
    assert {r[1] for r in rows[2:]} == {"剑阁县", "武胜县"}
    entry = run_sync(
        AuditEntry.select(AuditEntry.actor_name, AuditEntry.entity_id)
        .where(AuditEntry.action == "download_cohort_report")
        .first()
    )
    assert entry == {"actor_name": "Nantong", "entity_id": str(hosted.nantong.session_id)}


def test_organisers_create_host_accounts_in_the_account_admin(client: TestClient[Any]) -> None:
    create_user("org", "organiser")
    login(client, "org")
    form = {
        "username": "rugao",
        "display_name": "如皋 联络员",
        "role": "host",
        "password": "a-long-password-1",
    }
    missing = client.post("/admin/accounts", data={**form, "_csrf_token": csrf_token(client)})
    assert missing.status_code == 400 and 'id="e-host_city"' in missing.text
    created = client.post(
        "/admin/accounts",
        data={**form, "host_city": "南通市", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert created.status_code == 302
    listing = client.get("/admin/accounts").text
    assert "南通市" in listing
    client.cookies.clear()
    landing = login(client, "rugao", "a-long-password-1")
    assert landing.headers["location"] == "/host"

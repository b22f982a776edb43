"""The check-in JSON API and pages through the real app (Litestar TestClient)."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from typing import Any

import pypdfium2
import zxingcpp
from PIL import Image

from tests.checkin.world import World, local_dt, make_world, today_local
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, login_as
from training.checkin import badges
from training.checkin.tables import CheckIn
from training.enrollment.qr import enrollment_qr_png


def world(**kwargs: Any) -> World:
    return run_sync(make_world(**kwargs))  # type: ignore[no-any-return]


def redeem(client: Any, code: str, block: int, client_id: str | None = None, at: str | None = None) -> Any:
    body = {"code": code, "block_id": block, "client_id": client_id or uuid.uuid4().hex, "device_id": "t"}
    if at:
        body["scanned_at"] = at
    response = client.post("/api/v1/checkin/redeem", json=body, headers=csrf_headers(client))
    assert response.status_code == 200, response.text
    return response.json()


def test_staff_redeem_a_code_and_a_second_scan_is_already_checked_in(client: Any) -> None:
    w = world()
    login_as(client, "staff")
    person = w.people[0]
    first = redeem(client, person.token, w.blocks[0])
    assert (first["status"], first["name"], first["county"]) == ("ok", person.name, person.county)
    second = redeem(client, person.manual_code, w.blocks[0])
    assert second["status"] == "already_checked_in" and second["at_local"] == first["at_local"]
    assert second["by"] == first["by"] != ""


def test_the_api_needs_a_logged_in_staff_member(client: Any) -> None:
    w = world()
    anonymous = client.post(
        "/api/v1/checkin/redeem",
        json={"code": w.people[0].token, "block_id": w.blocks[0], "client_id": "x1"},
        headers=csrf_headers(client),
    )
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "not_authenticated"
    login_as(client, "coordinator", county_id=1)
    assert client.get(f"/api/v1/checkin/blocks/{w.blocks[0]}/roster").status_code == 403
    assert run_sync(CheckIn.count().run()) == 0


def test_a_bad_client_id_is_a_validation_error(client: Any) -> None:
    w = world()
    login_as(client, "staff")
    response = client.post(
        "/api/v1/checkin/redeem",
        json={"code": w.people[0].token, "block_id": w.blocks[0], "client_id": "no spaces allowed"},
        headers=csrf_headers(client),
    )
    assert response.status_code == 422 and response.json()["fields"] == {"client_id": "invalid_client_id"}


def test_an_offline_batch_with_duplicates_and_stale_scans(client: Any) -> None:
    w = world(confirmed=4, extra_statuses=("cancelled",))
    login_as(client, "staff")
    a, b, c, d, cancelled = w.people
    redeem(
        client, c.token, w.blocks[0], at=local_dt(today_local(), 0, 1).isoformat()
    )  # another device, earlier
    # within the late-upload window but on another day than the block
    yesterday: datetime | None = local_dt(today_local() - timedelta(days=1), 8, 0)

    def item(code: str, block: int, client_id: str, minute: int) -> dict[str, Any]:
        at = local_dt(today_local(), 0, minute).isoformat()
        return {"code": code, "block_id": block, "client_id": client_id, "scanned_at": at}

    scans = [
        item(a.manual_code, w.blocks[0], "q-1", 2),
        item(a.token, w.blocks[0], "q-2", 3),  # the same teacher again: a duplicate in the batch
        item(b.token, w.blocks[0], "q-3", 4),
        item(c.token, w.blocks[0], "q-4", 5),  # checked in meanwhile on another device
        item(cancelled.token, w.blocks[0], "q-5", 6),  # cancelled while the phone was offline
        item(d.token, w.blocks[2], "q-6", 7),  # tomorrow's block picked by mistake
    ]
    if yesterday is not None:  # a scan queued on another day for today's block is stale
        scans.append(
            {
                "code": d.token,
                "block_id": w.blocks[0],
                "client_id": "q-7",
                "scanned_at": yesterday.isoformat(),
            }
        )
    body = {"device_id": "phone-2", "scans": scans}
    first = client.post("/api/v1/checkin/batch", json=body, headers=csrf_headers(client))
    assert first.status_code == 200, first.text
    statuses = [r["status"] for r in first.json()["results"]]
    expected = ["ok", "already_checked_in", "ok", "already_checked_in", "cancelled", "wrong_block"]
    assert statuses == expected + (["wrong_block"] if yesterday else [])
    conflict = first.json()["results"][3]
    assert conflict["at_local"] == "00:01" and conflict["by"]  # who was first, reported not lost
    # The network dropped before the answer arrived: the phone sends the same batch again.
    again = client.post("/api/v1/checkin/batch", json=body, headers=csrf_headers(client))
    replay = again.json()["results"]
    assert [r["status"] for r in replay][:4] == ["ok", "already_checked_in", "ok", "already_checked_in"]
    assert replay[0]["replayed"] and replay[2]["replayed"]
    rows = run_sync(CheckIn.select(CheckIn.client_id, CheckIn.scanned_at).order_by(CheckIn.scanned_at).run())
    assert [r["client_id"] for r in rows][1:] == ["q-1", "q-3"]
    assert rows[1]["scanned_at"] == local_dt(today_local(), 0, 2)  # the original scan time is kept


def test_a_batch_reports_scans_older_than_the_window_and_records_none(client: Any) -> None:
    from training.audit.tables import AuditEntry

    w = world(confirmed=2, day=today_local() - timedelta(days=3))  # a block three days ago; window 48 h
    login_as(client, "staff")
    scans = [
        {
            "code": w.people[0].token,
            "block_id": w.blocks[0],
            "client_id": "old-1",
            "scanned_at": local_dt(today_local() - timedelta(days=3), 9, 0).isoformat(),
        },
        {  # the 2019 trick: a back-dated clock
            "code": w.people[1].token,
            "block_id": w.blocks[0],
            "client_id": "old-2",
            "scanned_at": "2019-07-18T09:00:00+08:00",
        },
    ]
    answer = client.post(
        "/api/v1/checkin/batch", json={"device_id": "p", "scans": scans}, headers=csrf_headers(client)
    )
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["too_late", "too_late"]
    assert run_sync(CheckIn.count().run()) == 0
    assert run_sync(AuditEntry.count().where(AuditEntry.action == "late_checkin_upload").run()) == 1
    import html
    import json
    import re

    page = client.get("/checkin/scan").text
    messages = json.loads(html.unescape(re.search(r"data-messages='([^']*)'", page).group(1)))  # type: ignore[union-attr]
    assert messages["too_late"].startswith("扫码时间过久")  # the scanner shows the refusal in words


def test_roster_and_counts_of_a_block(client: Any) -> None:
    w = world(confirmed=3, extra_statuses=("waitlisted",))
    login_as(client, "staff")
    redeem(client, w.people[0].token, w.blocks[0])
    counts = client.get(f"/api/v1/checkin/blocks/{w.blocks[0]}/counts").json()
    assert (counts["checked_in"], counts["expected"]) == (1, 3)
    roster = client.get(f"/api/v1/checkin/blocks/{w.blocks[0]}/roster").json()
    assert {e["status"] for e in roster["entries"]} == {"confirmed", "waitlisted"}
    assert "key" not in str(roster).lower()
    assert all(p.token not in str(roster) and p.manual_code not in str(roster) for p in w.people)
    assert client.get("/api/v1/checkin/blocks/999999/counts").status_code == 404


def test_ping_is_bare_and_the_api_is_in_the_openapi_schema(client: Any) -> None:
    assert client.get("/api/v1/ping").json() == {"pong": True}
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/v1/checkin/redeem",
        "/api/v1/checkin/batch",
        "/api/v1/checkin/blocks/{block_id}/roster",
        "/api/v1/checkin/blocks/{block_id}/counts",
    ):
        assert path in paths, path


def test_the_scanner_page_preselects_the_current_block_and_registers_no_inline_script(client: Any) -> None:
    w = world()
    login_as(client, "staff")
    page = client.get("/checkin/scan")
    assert page.status_code == 200
    import re

    selected = re.findall(r'<option value="(\d+)" data-session="(\d+)"[^>]*\sselected', page.text)
    assert selected in ([(str(w.blocks[0]), str(w.session_id))], [(str(w.blocks[1]), str(w.session_id))])
    assert "<script>" not in page.text and "checkin-scanner.js" in page.text
    worker = client.get("/checkin/sw.js")
    assert worker.headers["content-type"].startswith("application/javascript")
    assert worker.headers["service-worker-allowed"] == "/checkin/"


def test_the_dashboard_shows_missing_teachers_with_phones_to_organisers_only(client: Any) -> None:
    w = world(confirmed=3)
    login_as(client, "staff")
    redeem(client, w.people[0].token, w.blocks[0])
    assert client.get(f"/api/v1/checkin/blocks/{w.blocks[0]}/dashboard").status_code == 403
    client.cookies.clear()
    login_as(client, "organiser")
    data = client.get(f"/api/v1/checkin/blocks/{w.blocks[0]}/dashboard").json()
    assert (data["checked_in"], data["expected"]) == (1, 3)
    assert {m["phone"] for m in data["missing"]} == {p.phone for p in w.people[1:]}
    assert sum(c["expected"] for c in data["by_county"]) == 3
    page = client.get(f"/checkin/dashboard?block={w.blocks[0]}")
    assert page.status_code == 200 and w.people[1].phone in page.text
    from training.audit.tables import AuditEntry

    [entry] = run_sync(AuditEntry.select().where(AuditEntry.action == "view_phones").run())
    assert entry["entity_id"] == str(w.blocks[0]) and entry["changes"] in (
        {"phones_shown": 2},
        '{"phones_shown": 2}',
    )


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_the_enrollment_qr_png_decodes_to_a_code_that_checks_in(client: Any) -> None:
    w = world()
    login_as(client, "staff")
    png = enrollment_qr_png(w.people[0].enrollment_id)  # what the confirmation email attaches
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert (found.extra["Version"], found.extra["ECLevel"]) == ("2", "M")  # 25 × 25 modules: reads fast
    text = found.text
    assert redeem(client, text, w.blocks[0])["status"] == "ok"


def test_a_badge_sheet_pdf_decodes_to_codes_that_check_in(client: Any) -> None:
    w = world(confirmed=9, extra_statuses=("cancelled",))
    login_as(client, "organiser")
    response = client.get(f"/checkin/sessions/{w.session_id}/badges.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) == 2  # 9 confirmed teachers, 8 badges a page; the cancelled one gets none
    width, height = pdf[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    image = pdf[0].render(scale=200 / 72).to_pil()
    texts = _decode(image)
    assert len(texts) == 8
    assert set(texts) <= {p.token for p in w.people if p.status == "confirmed"}
    assert redeem(client, texts[0], w.blocks[0])["status"] == "ok"
    assert badges.font(20).getname()[0] == "Noto Sans CJK SC"
    chosen = [p for p in w.people if p.status == "confirmed"][:2]
    ids = ",".join(str(p.enrollment_id) for p in chosen)
    only = client.get(f"/checkin/sessions/{w.session_id}/badges.pdf?ids={ids}")
    page = pypdfium2.PdfDocument(only.content)[0].render(scale=200 / 72).to_pil()
    assert sorted(_decode(page)) == sorted(p.token for p in chosen)


def test_the_badges_command_writes_a_pdf(settings: Any, engine: Any, tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    w = world(confirmed=2)
    out = tmp_path / "badges.pdf"
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "training", "badges", "--session", str(w.session_id), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    texts = _decode(pypdfium2.PdfDocument(out.read_bytes())[0].render(scale=200 / 72).to_pil())
    assert sorted(texts) == sorted(p.token for p in w.people)

"""Attendance corrections through the real app: check-in windows, undo with a reason, late and excused marks,
and what eligibility, the 学时 ledger and the statistics count afterwards. Both engines.

The blocks are yesterday's (the session runs from yesterday to tomorrow): every scan carries a `scanned_at` in
the past, as a phone sends it, so the tests read the same at any hour they run."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from tests.checkin.world import local_dt, today_local
from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, csrf_token, login
from training import db
from training.audit.tables import AuditEntry
from training.certificates.candidates import session_eligibility
from training.checkin import assignments
from training.checkin.tables import CheckIn
from training.core.actor import Actor
from training.ledger.service import session_rows
from training.people.tables import County
from training.stats import schema as stats_schema

YESTERDAY = today_local() - timedelta(days=1)


@dataclass
class Place:
    session_id: int
    other_session_id: int
    morning: int  # yesterday 08:30–11:30, default window (08:00–11:30)
    afternoon: int  # yesterday 14:00–17:00, default window (13:30–17:00)
    codes: list[str] = field(default_factory=list)
    enrollments: list[int] = field(default_factory=list)


async def _place(teachers: int = 3) -> Place:
    county = await kit.county("510823", "剑阁县", prefecture="")
    programme = await kit.programme()
    session = await kit.session(
        programme,
        year=YESTERDAY.year,
        title="第9期暑期教师培训班",
        starts_on=YESTERDAY,
        ends_on=YESTERDAY + timedelta(days=2),
        capacity=100,
        completion_hours=6.0,
    )
    other = await kit.session(
        programme,
        year=YESTERDAY.year,
        title="2019 彩虹行动 南通班",
        starts_on=YESTERDAY,
        ends_on=YESTERDAY + timedelta(days=2),
        capacity=100,
    )
    place = Place(
        session,
        other,
        await kit.block(session, YESTERDAY, time(8, 30), time(11, 30), hours=3.0),
        await kit.block(session, YESTERDAY, time(14, 0), time(17, 0), hours=3.0),
    )
    for i in range(teachers):
        teacher = await kit.teacher(county, name=f"测试{'王李张'[i % 3]}{i}")
        code = f"K{kit.serial():07d}"
        place.enrollments.append(await kit.enrollment(session, teacher, manual_code=code))
        place.codes.append(code)
    return place


def place(teachers: int = 3) -> Place:
    return run_sync(_place(teachers))  # type: ignore[no-any-return]


def at(hh: int, mm: int) -> str:
    return local_dt(YESTERDAY, hh, mm).isoformat()


def scan(client: Any, code: str, block: int, when: str, *, confirm: bool = False, cid: str = "") -> Any:
    body = {
        "code": code,
        "block_id": block,
        "client_id": cid or uuid.uuid4().hex,
        "device_id": "phone-1",
        "scanned_at": when,
        "confirm_outside_window": confirm,
    }
    response = client.post("/api/v1/checkin/redeem", json=body, headers=csrf_headers(client))
    assert response.status_code == 200, response.text
    return response.json()


def user(client: Any, role: str, sessions: set[int] | None = None) -> int:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    county = run_sync(County.select(County.id).first()) if role == "coordinator" else None
    user_id = kit.create_user(name, role, county["id"] if county else None)
    if sessions:
        run_sync(assignments.set_assignments(Actor(None, "t", "t", "organiser"), user_id, sessions))
    client.cookies.clear()
    login(client, name)
    return user_id


def live_check_ins() -> list[dict[str, Any]]:
    return run_sync(CheckIn.select().where(CheckIn.voided_at.is_null()))  # type: ignore[no-any-return]


def _parsed(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit rows with `changes` as a mapping (SQLite hands the JSON back as text)."""
    return [
        {**e, "changes": json.loads(e["changes"]) if isinstance(e["changes"], str) else e["changes"]}
        for e in entries
    ]


def audit(action: str) -> list[dict[str, Any]]:
    return _parsed(run_sync(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id)))


def post_form(client: Any, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False)


def counted(session_id: int) -> dict[int, tuple[float, float, int, float]]:
    """Per enrollment: (eligibility hours, ledger hours, statistics check-ins, statistics hours)."""

    async def read() -> dict[int, tuple[float, float, int, float]]:
        await stats_schema.catch_up()
        eligibility = {
            c.enrollment_id: c.decision.attended_hours
            for c in (await session_eligibility(session_id)).candidates
        }
        ledger = {r.enrollment_id: r.hours for r in await session_rows(session_id)}
        facts = {
            int(r["enrollment"]): (int(r["checkins"]), float(r["hours"]))
            for r in await db.fetch(
                "SELECT enrollment, checkins, hours FROM stats_fact WHERE session = {}", session_id
            )
        }
        return {
            e: (eligibility.get(e, 0.0), ledger.get(e, 0.0), *facts.get(e, (0, 0.0)))
            for e in set(eligibility) | set(facts)
        }

    return run_sync(read())  # type: ignore[no-any-return]


# --- windows -------------------------------------------------------------------------------------------------


def test_a_scan_before_the_window_asks_to_confirm_and_records_nothing_until_confirmed(client: Any) -> None:
    p = place()
    user(client, "staff")
    early = scan(client, p.codes[0], p.morning, at(7, 40), cid="early-1")
    assert early["status"] == "outside_window" and early["window"] == "08:00–11:30"
    assert early["name"].startswith("测试") and live_check_ins() == []
    assert audit("checkin_outside_window") == []
    confirmed = scan(client, p.codes[0], p.morning, at(7, 40), confirm=True, cid="early-1")
    assert confirmed["status"] == "ok" and confirmed["at_local"] == "07:40"
    rows = live_check_ins()
    assert [(r["enrollment"], r["block"], r["client_id"]) for r in rows] == [
        (p.enrollments[0], p.morning, "early-1")
    ]
    [entry] = audit("checkin_outside_window")
    assert entry["changes"]["note"] == f"outside window, confirmed by {entry['actor_name']}"
    assert entry["changes"]["window"] == "08:00–11:30" and entry["changes"]["enrollment"] == p.enrollments[0]
    # a retry of the confirmed scan is the same scan, audited once
    assert scan(client, p.codes[0], p.morning, at(7, 40), confirm=True, cid="early-1")["replayed"] is True
    assert len(audit("checkin_outside_window")) == 1
    # inside the window nothing is asked; the window's edges are inside
    assert scan(client, p.codes[1], p.morning, at(8, 0))["status"] == "ok"
    assert (
        scan(client, p.codes[2], p.morning, local_dt(YESTERDAY, 11, 30).replace(second=59).isoformat())[
            "status"
        ]
        == "outside_window"
    )
    assert scan(client, p.codes[2], p.morning, at(11, 30))["status"] == "ok"


def test_the_afternoon_block_refuses_0726_without_confirmation(client: Any) -> None:
    p = place()
    user(client, "staff")
    answer = scan(client, p.codes[0], p.afternoon, at(7, 26))
    assert (answer["status"], answer["window"]) == ("outside_window", "13:30–17:00")
    assert live_check_ins() == []
    assert scan(client, p.codes[0], p.afternoon, at(13, 30))["status"] == "ok"


def test_an_offline_batch_is_judged_by_scanned_at_against_each_block_window(client: Any) -> None:
    p = place()
    user(client, "staff")

    def item(code: str, block: int, when: str, cid: str, confirm: bool = False) -> dict[str, Any]:
        return {
            "code": code,
            "block_id": block,
            "client_id": cid,
            "scanned_at": when,
            "confirm_outside_window": confirm,
        }

    scans = [
        item(p.codes[0], p.morning, at(8, 10), "b1"),  # in the window
        item(p.codes[1], p.afternoon, at(7, 26), "b2"),  # the afternoon block at 07:26: asks
        item(p.codes[2], p.afternoon, at(17, 20), "b3", confirm=True),  # after it, confirmed on the phone
        item(p.codes[1], p.morning, at(12, 5), "b4"),  # after the morning's end: asks
    ]
    response = client.post(
        "/api/v1/checkin/batch", json={"device_id": "phone-2", "scans": scans}, headers=csrf_headers(client)
    )
    assert response.status_code == 200, response.text
    answers = [(r["client_id"], r["status"], r["window"]) for r in response.json()["results"]]
    assert answers == [
        ("b1", "ok", ""),
        ("b2", "outside_window", "13:30–17:00"),
        ("b3", "ok", "13:30–17:00"),
        ("b4", "outside_window", "08:00–11:30"),
    ]
    assert sorted(r["client_id"] for r in live_check_ins()) == ["b1", "b3"]
    [entry] = audit("checkin_outside_window")
    assert entry["changes"]["client_id"] == "b3" and entry["changes"]["device_id"] == "phone-2"


def test_organisers_set_a_block_window_on_the_timetable_and_scans_follow_it(client: Any) -> None:
    p = place()
    user(client, "organiser")
    page = client.get(f"/admin/sessions/{p.session_id}/timetable")
    assert page.status_code == 200 and f'action="/admin/blocks/{p.afternoon}/checkin-window"' in page.text
    bad = post_form(
        client,
        f"/admin/blocks/{p.afternoon}/checkin-window",
        {"checkin_before_minutes": "-5", "checkin_after_minutes": "20"},
    )
    assert bad.status_code == 400 and 'value="-5"' in bad.text and 'aria-invalid="true"' in bad.text
    ok = post_form(
        client,
        f"/admin/blocks/{p.afternoon}/checkin-window",
        {"checkin_before_minutes": "420", "checkin_after_minutes": "20"},
    )
    assert ok.status_code in (302, 303)
    [entry] = audit("checkin_window")
    assert entry["changes"]["checkin_before_minutes"] == [30, 420]
    # the window now opens at 07:00
    assert scan(client, p.codes[0], p.afternoon, at(6, 59))["status"] == "outside_window"
    assert scan(client, p.codes[0], p.afternoon, at(7, 26))["status"] == "ok"
    assert scan(client, p.codes[1], p.afternoon, at(17, 20))["status"] == "ok"


# --- undo ------------------------------------------------------------------------------------------------------


def test_undo_needs_a_reason_is_audited_and_every_count_drops_the_scan(client: Any) -> None:
    p = place()
    staff = user(client, "staff", {p.session_id})
    for code in p.codes[:2]:
        assert scan(client, code, p.morning, at(8, 40))["status"] == "ok"
        assert scan(client, code, p.afternoon, at(14, 5))["status"] == "ok"
    first, second = p.enrollments[:2]
    assert counted(p.session_id)[first] == (6.0, 6.0, 2, 6.0)
    wrong = next(r for r in live_check_ins() if r["enrollment"] == first and r["block"] == p.afternoon)
    page = client.get(f"/checkin/blocks/{p.afternoon}/attendance")
    assert page.status_code == 200 and f"/check-ins/{wrong['id']}/void" in page.text
    assert "data-confirm=" in page.text  # the destructive click asks first
    url = f"/checkin/blocks/{p.afternoon}/check-ins/{wrong['id']}/void"
    refused = post_form(client, url, {"reason": "   "})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.text
    assert len(live_check_ins()) == 4 and audit("void_check_in") == []
    done = post_form(client, url, {"reason": "扫错了人"})
    assert done.status_code in (302, 303)
    kept = run_sync(CheckIn.select().where(CheckIn.id == wrong["id"]).first())
    assert kept["voided_at"] is not None and kept["void_reason"] == "扫错了人" and kept["voided_by"] == staff
    [entry] = audit("void_check_in")
    assert entry["changes"]["reason"] == "扫错了人" and entry["entity_id"] == str(wrong["id"])
    assert counted(p.session_id)[first] == (3.0, 3.0, 1, 3.0)  # eligibility, ledger and statistics follow
    assert counted(p.session_id)[second] == (6.0, 6.0, 2, 6.0)
    counts = client.get(f"/api/v1/checkin/blocks/{p.afternoon}/counts").json()
    assert counts["checked_in"] == 1
    again = post_form(client, url, {"reason": "again"})
    assert again.status_code == 409
    # a retry of the undone scan stays undone; a new scan of her records her again
    retry = client.post(
        "/api/v1/checkin/redeem",
        json={
            "code": p.codes[0],
            "block_id": p.afternoon,
            "client_id": kept["client_id"],
            "scanned_at": at(14, 5),
        },
        headers=csrf_headers(client),
    ).json()
    assert retry["status"] == "voided"
    assert scan(client, p.codes[0], p.afternoon, at(14, 30))["status"] == "ok"
    assert counted(p.session_id)[first] == (6.0, 6.0, 2, 6.0)
    listing = client.get(f"/checkin/blocks/{p.afternoon}/attendance").text
    assert "扫错了人" in listing  # the undone scan stays listed, with why


# --- marks -----------------------------------------------------------------------------------------------------


def test_late_counts_and_excused_counts_only_when_the_session_rule_says_so(client: Any) -> None:
    p = place()
    user(client, "organiser")
    late, excused, _ = p.enrollments
    assert scan(client, p.codes[1], p.morning, at(8, 40))["status"] == "ok"
    marked = post_form(
        client, f"/checkin/blocks/{p.morning}/marks/{late}", {"kind": "late", "note": "堵车 9:10 到"}
    )
    assert marked.status_code in (302, 303)
    post_form(client, f"/checkin/blocks/{p.afternoon}/marks/{excused}", {"kind": "excused", "note": "病假"})
    figures = counted(p.session_id)
    assert figures[late] == (3.0, 3.0, 1, 3.0)  # late without a scan still attended
    assert figures[excused] == (3.0, 3.0, 1, 3.0)  # her morning scan only: excused does not count by default
    rule = post_form(client, f"/checkin/blocks/{p.morning}/excused-rule", {"excused_counts": "on"})
    assert rule.status_code in (302, 303)
    assert counted(p.session_id)[excused] == (6.0, 6.0, 2, 6.0)
    eligibility = run_sync(session_eligibility(p.session_id))
    assert {c.enrollment_id for c in eligibility.eligible} == {excused}  # 6 hours needed
    post_form(client, f"/checkin/blocks/{p.morning}/excused-rule", {})
    assert counted(p.session_id)[excused] == (3.0, 3.0, 1, 3.0)
    post_form(client, f"/checkin/blocks/{p.morning}/marks/{late}", {"kind": "", "note": ""})
    assert counted(p.session_id).get(late, (0.0, 0.0, 0, 0.0)) == (0.0, 0.0, 0, 0.0)
    actions = [
        (e["action"], e["changes"].get("mark") or e["changes"].get("excused_counts"))
        for e in _parsed(
            run_sync(
                AuditEntry.select()
                .where(AuditEntry.action.is_in(["mark_attendance", "excused_rule"]))
                .order_by(AuditEntry.id)
            )
        )
    ]
    assert actions == [
        ("mark_attendance", [None, {"kind": "late", "note": "堵车 9:10 到"}]),
        ("mark_attendance", [None, {"kind": "excused", "note": "病假"}]),
        ("excused_rule", [False, True]),
        ("excused_rule", [True, False]),
        ("mark_attendance", [{"kind": "late", "note": "堵车 9:10 到"}, None]),
    ]
    other_teacher = run_sync(kit.teacher(run_sync(kit.county("511622", "武胜县", prefecture=""))))
    outsider = run_sync(kit.enrollment(p.other_session_id, other_teacher))
    wrong = post_form(client, f"/checkin/blocks/{p.morning}/marks/{outsider}", {"kind": "late"})
    assert wrong.status_code == 400


def test_the_database_refuses_an_unknown_mark_and_a_void_without_reason(client: Any) -> None:
    p = place(1)
    user(client, "staff")
    scan(client, p.codes[0], p.morning, at(8, 40))

    async def attempts() -> list[bool]:
        refused = []
        for statement, args in (
            (
                'INSERT INTO "attendance_mark" (enrollment, block, kind, marked_at) VALUES ({}, {}, {}, {})',
                (p.enrollments[0], p.morning, "absent", local_dt(YESTERDAY, 9, 0)),
            ),
            ('UPDATE "check_in" SET voided_at = {} WHERE block = {}', (local_dt(YESTERDAY, 9, 0), p.morning)),
            ('UPDATE "block" SET checkin_before_minutes = {} WHERE id = {}', (-1, p.morning)),
        ):
            try:
                await db.fetch(statement, *args)
                refused.append(False)
            except Exception as exc:  # either engine's integrity error
                refused.append("check" in str(exc).lower())
        return refused

    assert run_sync(attempts()) == [True, True, True]


# --- who may ---------------------------------------------------------------------------------------------------


def test_role_scoping(client: Any) -> None:
    p = place(2)
    user(client, "organiser")
    scan(client, p.codes[0], p.morning, at(8, 40))
    [row] = live_check_ins()
    void_url = f"/checkin/blocks/{p.morning}/check-ins/{row['id']}/void"
    mark_url = f"/checkin/blocks/{p.morning}/marks/{p.enrollments[1]}"
    window_url = f"/admin/blocks/{p.morning}/checkin-window"
    rule_url = f"/checkin/blocks/{p.morning}/excused-rule"
    window = {"checkin_before_minutes": "10", "checkin_after_minutes": "0"}

    user(client, "coordinator")
    assert client.get(f"/checkin/blocks/{p.morning}/attendance").status_code == 403
    assert post_form(client, void_url, {"reason": "x"}).status_code == 403
    assert post_form(client, mark_url, {"kind": "late"}).status_code == 403
    assert post_form(client, window_url, window).status_code == 403

    user(client, "staff", {p.other_session_id})  # assigned elsewhere
    assert client.get(f"/checkin/blocks/{p.morning}/attendance").status_code == 403
    assert post_form(client, void_url, {"reason": "x"}).status_code == 403

    user(client, "staff")  # no assignment: scans every session, undoes none
    assert "/void" not in client.get(f"/checkin/blocks/{p.morning}/attendance").text
    assert post_form(client, void_url, {"reason": "x"}).status_code == 403

    user(client, "staff", {p.session_id})  # assigned: undoes, but marks, windows and rules are organisers'
    page = client.get(f"/checkin/blocks/{p.morning}/attendance").text
    assert "/void" in page and "/marks/" not in page and "excused-rule" not in page
    assert post_form(client, mark_url, {"kind": "late"}).status_code == 403
    assert post_form(client, window_url, window).status_code == 403
    assert post_form(client, rule_url, {"excused_counts": "on"}).status_code == 403
    assert len(live_check_ins()) == 1 and audit("mark_attendance") == [] and audit("checkin_window") == []
    assert post_form(client, void_url, {"reason": "重复"}).status_code in (302, 303)
    assert live_check_ins() == []

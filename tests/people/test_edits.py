"""Teachers change their own details with proof (a code to the new contact, or to the contact on file for a
pending change); organisers edit any field and decide pending changes with a reason; everything audited."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import BASE_URL, fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.audit.tables import AuditEntry
from training.enrollment import service
from training.mail.tables import OutboxMessage
from training.people import codes
from training.people.tables import Teacher, TeacherChangeRequest, TeacherContactCode

NEW_EMAIL = "wang.new@example.org"


def _setup(impostor: bool = False) -> tuple[list[int], dict[str, Any], str, str | None]:
    """A teacher enrolled once (her link), and optionally someone else's registration with her ID (its link)."""
    counties = run_sync(make_counties())
    first = run_sync(make_session(counties, capacity=20))
    values = registration(counties[0], 1)
    mine = run_sync(service.register(first, values, base_url=BASE_URL)).link_token
    other = None
    if impostor:
        second = run_sync(make_session(counties, capacity=20, title="第11期"))
        other = run_sync(
            service.register(
                second,
                {**values, "phone": "18612345678", "email": "x@example.net", "school": "剑阁县第一中学"},
                base_url=BASE_URL,
            )
        ).link_token
    return counties, values, mine, other


def _last_code(to: str) -> str:
    rows = fetch(
        OutboxMessage.select().where(OutboxMessage.kind == "contact_code").order_by(OutboxMessage.id)
    )
    mine = [r for r in rows if to in r["to_addr"]]
    assert mine, "no code mail to that address"
    found = re.search(r"\b(\d{6})\b", mine[-1]["body_text"])
    assert found
    return found.group(1)


def _code_id() -> int:
    return int(
        fetch(TeacherContactCode.select().order_by(TeacherContactCode.id, ascending=False).first())["id"]
    )


def _audit(action: str) -> list[dict[str, Any]]:
    rows = fetch(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))
    for r in rows:
        if isinstance(r["changes"], str):
            r["changes"] = json.loads(r["changes"])
    return rows


def test_a_teacher_changes_her_email_only_with_the_code_sent_to_it(client: TestClient[Any]) -> None:
    _, values, token, _ = _setup()
    page = client.get(f"/me/{token}/profile")
    assert page.status_code == 200 and "修改我的信息" in page.text
    saved = client.post(
        f"/me/{token}/profile",
        data={
            "email": NEW_EMAIL,
            "school_name": "剑阁县第一中学",
            "subject": "数学",
            "title": "一级教师",
            "_csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 302
    teacher = fetch(Teacher.select().first())
    assert teacher["school_name"] == "剑阁县第一中学" and teacher["subject"] == "数学"  # work details at once
    assert teacher["email"] == values["email"]  # the new address waits for its code
    code = _last_code(NEW_EMAIL)
    stored = fetch(TeacherContactCode.select().first())
    assert code not in stored["code_hash"] and NEW_EMAIL not in json.dumps(stored, default=str)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        f"/me/{token}/profile/code",
        data={"code_id": str(_code_id()), "code": wrong, "_csrf_token": csrf_token(client)},
    )
    assert refused.status_code == 400 and "验证码不正确" in refused.text
    assert fetch(Teacher.select().first())["email"] == values["email"]
    ok = client.post(
        f"/me/{token}/profile/code",
        data={"code_id": str(_code_id()), "code": code, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert ok.status_code == 302
    assert fetch(Teacher.select().first())["email"] == NEW_EMAIL
    audited = [a["changes"] for a in _audit("update")]
    assert {"school_name": ["剑阁县实验小学", "剑阁县第一中学"]}.items() <= audited[0].items()
    assert audited[-1]["email"] == ["te***@example.org", "wa***@example.org"]
    assert audited[-1]["via"] == "self_service_code"
    # a used code cannot be entered again
    again = client.post(
        f"/me/{token}/profile/code",
        data={"code_id": str(_code_id()), "code": code, "_csrf_token": csrf_token(client)},
    )
    assert again.status_code == 400


def test_without_an_sms_provider_a_new_phone_is_left_to_the_organisers(client: TestClient[Any]) -> None:
    _, _, token, _ = _setup()
    page = client.get(f"/me/{token}/profile")
    assert 'id="f-phone"' not in page.text and "需由项目组确认" in page.text


def test_with_an_sms_provider_a_new_phone_takes_effect_with_the_code_texted_to_it(
    settings: Any, engine: Any
) -> None:
    from dataclasses import replace

    from training.app import create_app

    app = create_app(replace(settings, sms_provider="aliyun"), manage_engine=False)
    with TestClient(app=app, base_url="http://testserver.local", raise_server_exceptions=False) as client:
        _, values, token, _ = _setup()
        page = client.get(f"/me/{token}/profile")
        assert 'id="f-phone"' in page.text
        saved = client.post(
            f"/me/{token}/profile",
            data={
                "phone": "137 0000 0009",
                "school_name": "剑阁县实验小学",
                "subject": "语文",
                "title": "一级教师",
                "_csrf_token": csrf_token(client),
            },
            follow_redirects=False,
        )
        assert saved.status_code == 302
        sms = fetch(OutboxMessage.select().where(OutboxMessage.kind == "code").first())
        assert sms["channel"] == "sms" and sms["to_addr"] == "137****0009"
        code = re.search(r"\b(\d{6})\b", sms["body_text"]).group(1)  # type: ignore[union-attr]
        assert fetch(Teacher.select().first())["phone_masked"] == "139****0001"
        wrong = client.post(
            f"/me/{token}/profile/code",
            data={
                "code_id": str(_code_id()),
                "code": "000000" if code != "000000" else "111111",
                "_csrf_token": csrf_token(client),
            },
        )
        assert wrong.status_code == 400 and 'id="e-code-' in wrong.text
        ok = client.post(
            f"/me/{token}/profile/code",
            data={"code_id": str(_code_id()), "code": code, "_csrf_token": csrf_token(client)},
            follow_redirects=False,
        )
        assert ok.status_code == 302
    assert fetch(Teacher.select().first())["phone_masked"] == "137****0009"
    assert run_sync(service.lookup(values["id_number"], "13700000009", "127.0.0.1"))
    try:
        run_sync(service.lookup(values["id_number"], values["phone"], "127.0.0.1"))
    except Exception as exc:
        assert getattr(exc, "code", "") == "lookup_not_found"
    else:
        raise AssertionError("the old phone still finds her")


def test_codes_expire_and_lock_after_five_wrong_attempts(adb: Any) -> None:
    _setup()
    teacher_id = int(fetch(Teacher.select(Teacher.id).first())["id"])
    sent = run_sync(codes.send(teacher_id, "email", email=NEW_EMAIL, new_value=NEW_EMAIL))
    code = _last_code(NEW_EMAIL)
    applied: list[Any] = []

    async def apply(row: dict[str, Any]) -> None:
        applied.append(row["new_value"])

    later = datetime.now(UTC) + codes.CODE_TTL + timedelta(seconds=1)
    try:
        run_sync(codes.redeem(sent.code_id, teacher_id, code, apply, now=later))
    except codes.CodeRefused as exc:
        assert exc.code == "code_expired"
    else:
        raise AssertionError("an expired code was accepted")
    wrong = "000000" if code != "000000" else "111111"
    seen = []
    for _ in range(codes.MAX_ATTEMPTS):
        try:
            run_sync(codes.redeem(sent.code_id, teacher_id, wrong, apply))
        except codes.CodeRefused as exc:
            seen.append(exc.code)
    assert seen[-1] == "code_locked" and seen[0] == "code_wrong"
    try:
        run_sync(codes.redeem(sent.code_id, teacher_id, code, apply))  # even the right code, once locked
    except codes.CodeRefused as exc:
        assert exc.code == "code_locked"
    assert applied == []


def test_the_link_of_an_unproven_registration_cannot_change_her_details(client: TestClient[Any]) -> None:
    _, values, _, other = _setup(impostor=True)
    assert other is not None
    status = client.get(f"/me/{other}")
    assert "档案中的信息不同" in status.text
    page = client.get(f"/me/{other}/profile")
    assert page.status_code == 200 and 'action="/me/' + other + '/profile"' not in page.text
    tried = client.post(
        f"/me/{other}/profile",
        data={
            "email": "x@example.net",
            "school_name": "x",
            "subject": "数学",
            "title": "一级教师",
            "_csrf_token": csrf_token(client),
        },
    )
    assert tried.status_code == 403
    request_id = int(fetch(TeacherChangeRequest.select().first())["id"])
    assert (
        client.post(
            f"/me/{other}/changes/{request_id}/apply", data={"_csrf_token": csrf_token(client)}
        ).status_code
        == 403
    )
    # a code goes to the contact ON FILE; the impostor does not have it
    sent = client.post(
        f"/me/{other}/changes/{request_id}/send",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 302
    code = _last_code(values["email"])
    wrong = client.post(
        f"/me/{other}/profile/code",
        data={
            "code_id": str(_code_id()),
            "code": "000000" if code != "000000" else "111111",
            "_csrf_token": csrf_token(client),
        },
    )
    assert wrong.status_code == 400
    assert fetch(TeacherChangeRequest.select().first())["status"] == "pending"
    # the real teacher (who reads the mail on file) enters it: the change was hers after all
    ok = client.post(
        f"/me/{other}/profile/code",
        data={"code_id": str(_code_id()), "code": code, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert ok.status_code == 302
    teacher = fetch(Teacher.select().first())
    assert teacher["email"] == "x@example.net" and teacher["phone_masked"] == "186****5678"
    assert fetch(TeacherChangeRequest.select().first())["status"] == "applied"
    confirmed = _audit("confirm_change")
    assert confirmed and confirmed[0]["changes"]["via"] == "code_on_file"


def test_her_own_link_applies_a_pending_change(client: TestClient[Any]) -> None:
    _, _, mine, _ = _setup(impostor=True)
    request_id = int(fetch(TeacherChangeRequest.select().first())["id"])
    page = client.get(f"/me/{mine}/profile")
    assert "186****5678" in page.text and "18612345678" not in page.text
    done = client.post(
        f"/me/{mine}/changes/{request_id}/apply",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert done.status_code == 302
    assert fetch(Teacher.select().first())["school_name"] == "剑阁县第一中学"


def test_organisers_see_old_and_new_masked_reveal_with_audit_and_decide_with_a_reason(
    client: TestClient[Any],
) -> None:
    _, values, _, _ = _setup(impostor=True)
    request_id = int(fetch(TeacherChangeRequest.select().first())["id"])
    login_as(client, "organiser")
    page = client.get("/admin/teachers/changes")
    assert page.status_code == 200
    assert "139****0001" in page.text and "186****5678" in page.text and "18612345678" not in page.text
    revealed = client.post(
        f"/admin/teachers/changes/{request_id}/reveal", data={"_csrf_token": csrf_token(client)}
    )
    assert "18612345678" in revealed.text and values["phone"] in revealed.text
    assert _audit("reveal_change")
    no_reason = client.post(
        f"/admin/teachers/changes/{request_id}/decide",
        data={"action": "confirm", "reason": " ", "_csrf_token": csrf_token(client)},
    )
    assert (
        no_reason.status_code == 422 and fetch(TeacherChangeRequest.select().first())["status"] == "pending"
    )
    rejected = client.post(
        f"/admin/teachers/changes/{request_id}/decide",
        data={"action": "reject", "reason": "不是本人", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert rejected.status_code == 302
    assert fetch(TeacherChangeRequest.select().first())["status"] == "rejected"
    assert fetch(Teacher.select().first())["phone_masked"] == "139****0001"
    assert _audit("reject_change")[0]["changes"]["reason"] == "不是本人"


def test_an_organiser_edits_a_teacher_with_a_reason_and_the_audit_shows_old_and_new(
    client: TestClient[Any],
) -> None:
    counties, values, _, _ = _setup()
    teacher_id = int(fetch(Teacher.select(Teacher.id).first())["id"])
    login_as(client, "organiser")
    found = client.get("/admin/teachers?q=王老师")
    assert f"/admin/teachers/{teacher_id}/edit" in found.text
    form = client.get(f"/admin/teachers/{teacher_id}/edit")
    assert form.status_code == 200
    data = {
        "name": "王 小芳",
        "phone": "13700000009",
        "email": "",
        "county": str(counties[1]),
        "school_name": "武胜县实验小学",
        "subject": "语文",
        "grade_band": "primary",
        "title": "高级教师",
        "ethnicity": "汉族",
        "years_teaching": "12",
        "reason": "",
        "_csrf_token": csrf_token(client),
    }
    missing = client.post(f"/admin/teachers/{teacher_id}/edit", data=data)
    assert missing.status_code == 422 and 'id="e-reason"' in missing.text
    saved = client.post(
        f"/admin/teachers/{teacher_id}/edit",
        data={**data, "reason": "县教育局来函更正"},
        follow_redirects=False,
    )
    assert saved.status_code == 302
    teacher = fetch(Teacher.select().first())
    assert (
        teacher["county"] == counties[1]
        and teacher["title"] == "高级教师"
        and teacher["phone_masked"] == "137****0009"
    )
    assert teacher["school"] is not None  # linked to the school of that name in the new county
    changes = _audit("update")[-1]["changes"]
    assert changes["phone"] == ["139****0001", "137****0009"] and changes["county"] == ["剑阁县", "武胜县"]
    assert changes["reason"] == "县教育局来函更正" and changes["via"] == "organiser"
    assert "13700000009" not in json.dumps(changes)
    # her look-up now works with the new phone only
    assert run_sync(service.lookup(values["id_number"], "13700000009", "127.0.0.1"))

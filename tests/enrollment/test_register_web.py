"""Registration through the real app: the form, validation next to the fields, the confirmation page with the QR,
the self-service link, look-up and cancel."""

from __future__ import annotations

import io
import re
from typing import Any

import PIL.Image
import zxingcpp
from litestar.testing import TestClient

from tests.enrollment.factory import fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token
from training import keys
from training.core.links import read_link_token
from training.core.tokens import make_token
from training.enrollment.tables import Enrollment


def _setup(**kwargs: Any) -> tuple[list[int], int]:
    counties = run_sync(make_counties())
    return counties, run_sync(make_session(counties, **kwargs))


def _post(client: TestClient[Any], session_id: int, values: dict[str, Any]) -> Any:
    return client.post(
        f"/sessions/{session_id}/register",
        data={**values, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def test_a_teacher_registers_and_sees_the_qr_code_and_manual_code(client: TestClient[Any]) -> None:
    counties, session_id = _setup(capacity=10)
    page = client.get("/sessions")
    assert page.status_code == 200 and "第10期暑期教师培训班" in page.text
    form = client.get(f"/sessions/{session_id}/register")
    assert form.status_code == 200
    assert '<datalist id="schools-' in form.text and "剑阁县实验小学" in form.text
    response = _post(client, session_id, registration(counties[0]))
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith("/me/")
    status = client.get(location)
    assert status.status_code == 200
    enrollment = fetch(Enrollment.select().first())
    code = enrollment["manual_code"]
    assert f"{code[:4]}-{code[4:]}" in status.text
    assert "已确认" in status.text
    token = location.split("/")[2].split("?")[0]
    qr = client.get(f"/me/{token}/qr.png")
    assert qr.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(qr.content)))
    assert decoded[0].text == make_token(keys.current().qr_token, enrollment["id"])
    download = client.get(f"/me/{token}/qr.png?download=1")
    assert "attachment" in download.headers["content-disposition"]
    # the "save image" link (its token is re-signed on every page view, so only its shape is compared)
    assert re.search(r'href="/me/[A-Za-z0-9_-]+/qr\.png\?download=1" download="[^"]+\.png"', status.text)


def test_every_validation_error_is_shown_next_to_its_field_and_what_was_typed_is_kept(
    client: TestClient[Any],
) -> None:
    counties, session_id = _setup()
    other_county = 999999
    bad = registration(
        counties[0],
        name="",
        id_number="51082319850307002X",  # wrong check digit
        phone="12345",
        email="not-an-email",
        county=str(other_county),
        years_teaching="80",
        consent="",
        school="剑阁县某某小学",
    )
    response = _post(client, session_id, bad)
    assert response.status_code == 422
    text = response.text
    for field in ("name", "id_number", "phone", "email", "county", "years_teaching", "consent"):
        assert f'id="e-{field}"' in text, field
    assert "校验位" in text or "check digit" in text
    assert 'value="12345"' in text and 'value="not-an-email"' in text and 'value="剑阁县某某小学"' in text
    assert fetch(Enrollment.count()) == 0


def test_registration_window_closed_is_refused_with_a_message(client: TestClient[Any]) -> None:
    from datetime import UTC, datetime, timedelta

    counties, session_id = _setup(
        opens_at=datetime.now(UTC) - timedelta(days=9), closes_at=datetime.now(UTC) - timedelta(days=1)
    )
    response = _post(client, session_id, registration(counties[0]))
    assert response.status_code == 409
    assert "报名已截止" in response.text
    page = client.get(f"/sessions/{session_id}/register")
    assert "报名已截止" in page.text and 'id="register-form"' not in page.text
    assert fetch(Enrollment.count()) == 0


def test_a_second_registration_shows_the_existing_one(client: TestClient[Any]) -> None:
    counties, session_id = _setup()
    first = _post(client, session_id, registration(counties[0]))
    second = _post(client, session_id, registration(counties[0], name="王老师改名"))
    assert second.status_code == 302

    def enrollment_of(
        response: Any,
    ) -> int | None:  # the link's expiry is in whole seconds: compare whose it is
        token = response.headers["location"].split("?")[0].removeprefix("/me/")
        return read_link_token(keys.current().teacher_link, token)

    assert enrollment_of(second) == enrollment_of(first) is not None
    assert "notice=existing" in second.headers["location"]
    assert fetch(Enrollment.count()) == 1
    # Someone who knows only the ID number (not the mobile number) learns nothing more.
    stranger = _post(client, session_id, registration(counties[0], phone="13700000000"))
    assert stranger.status_code == 409 and "/me/" not in stranger.headers.get("location", "")


def test_look_up_by_id_number_and_mobile_then_cancel(client: TestClient[Any]) -> None:
    counties, session_id = _setup()
    values = registration(counties[0])
    _post(client, session_id, values)
    wrong = client.post(
        "/me",
        data={"id_number": values["id_number"], "phone": "13800000000", "_csrf_token": csrf_token(client)},
    )
    assert wrong.status_code == 404
    found = client.post(
        "/me",
        data={"id_number": values["id_number"], "phone": values["phone"], "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert found.status_code == 302
    link = found.headers["location"]
    page = client.get(link)
    assert "取消报名" in page.text
    # without the CSRF token the cancel is refused
    assert client.post(link + "/cancel").status_code == 403
    cancelled = client.post(
        link + "/cancel", data={"_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert cancelled.status_code == 302
    assert fetch(Enrollment.select(Enrollment.status).first())["status"] == "cancelled"


def test_look_up_is_rate_limited(client: TestClient[Any]) -> None:
    counties, _ = _setup()
    values = registration(counties[0])
    statuses = [
        client.post(
            "/me",
            data={
                "id_number": values["id_number"],
                "phone": "13800000000",
                "_csrf_token": csrf_token(client),
            },
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [404] * 5 and statuses[-1] == 429


def test_a_forged_self_service_link_is_refused(client: TestClient[Any]) -> None:
    _setup()
    assert client.get("/me/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_html_in_a_name_is_escaped_on_every_page(client: TestClient[Any]) -> None:
    from tests.kit.web import login_as

    counties, session_id = _setup()
    evil = '<script>alert("x")</script>'
    response = _post(client, session_id, registration(counties[0], name=evil[:32]))
    assert response.status_code == 302
    status = client.get(response.headers["location"])
    assert "<script>alert" not in status.text and "&lt;script&gt;" in status.text
    login_as(client, "organiser")
    roster = client.get(f"/admin/enrollment/sessions/{session_id}")
    assert "<script>alert" not in roster.text and "&lt;script&gt;" in roster.text
    api = client.get(f"/api/v1/sessions/{session_id}/roster")
    assert api.json()["rows"][0]["name"] == evil[:32]
    from training.mail.tables import OutboxMessage

    message = fetch(OutboxMessage.select().first())
    assert "<script>alert" not in message["body_html"] and "&lt;script&gt;" in message["body_html"]
    assert re.search("<script", status.text.split("<footer")[0].split("<main")[1]) is None

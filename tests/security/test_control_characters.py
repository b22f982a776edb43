"""NUL, other control characters, text-direction overrides and invisible-only values are refused where input is
decoded (forms, JSON, path and query), with a clear reason and never a 500; on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.enrollment.factory import fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import create_user
from training import textguard
from training.enrollment.tables import Enrollment

NUL = "\x00"
RLO = "\u202e"
ZWSP = "\u200b"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc\x00", textguard.CONTROL),
        ("a\x1bb", textguard.CONTROL),
        ("a\x85b", textguard.CONTROL),
        ("王\u202e芳", textguard.BIDI),
        ("\u2066x", textguard.BIDI),
        ("\u200b", textguard.INVISIBLE),
        ("\u200b \ufeff", textguard.INVISIBLE),
    ],
)
def test_refused_values_name_their_reason(value: str, reason: str) -> None:
    assert textguard.problem(value) == reason


@pytest.mark.parametrize("value", ["王芳", "tab\tand\nnew line\r\n", "a\u200db", "Ünïcode ✓", "  "])
def test_ordinary_text_passes(value: str) -> None:
    assert textguard.problem(value) is None


def test_log_safe_keeps_one_line_and_escapes_backslashes() -> None:
    assert textguard.log_safe("/x\r\n2026-01-01 INFO forged") == "/x\\r\\n2026-01-01 INFO forged"
    assert textguard.log_safe("a\u202eb\\n") == "a\\u202eb\\\\n"
    assert "\n" not in textguard.log_safe("\u2028\n")


def test_nul_in_the_login_form_is_shown_next_to_the_field(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    response = client.post(
        "/login",
        data={"username": "li" + NUL, "password": "x" + NUL, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert 'id="e-username"' in response.text and "控制字符" in response.text
    assert 'value="li"' in response.text  # redrawn without the refused character


def test_nul_in_a_verify_path_and_query_is_a_clear_refusal(client: TestClient[Any]) -> None:
    for path in ("/verify/ABC%00DEF", "/api/v1/verify/ABC%00DEF", "/verify?serial=AB%00C"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 422, (path, response.status_code)
    body = client.get("/api/v1/verify/ABC%E2%80%AEDEF").json()
    assert body["error"] == "invalid_characters" and body["fields"] == {"serial": textguard.BIDI}


def test_json_registration_with_nul_or_bidi_or_invisible_names_is_refused(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    url = f"/api/v1/sessions/{session_id}/registrations"
    base: dict[str, Any] = {
        **registration(counties[0]),
        "county": counties[0],
        "years_teaching": 12,
        "consent": True,
    }
    for field, value, reason in (
        ("email", "a\x00@example.org", textguard.CONTROL),
        ("name", "王" + RLO + "芳", textguard.BIDI),
        ("name", ZWSP + ZWSP, textguard.INVISIBLE),
    ):
        response = client.post(url, json={**base, field: value})
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_characters"
        assert response.json()["fields"] == {field: reason}
    assert fetch(Enrollment.count()) == 0


def test_json_registration_sent_as_text_plain_is_refused(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    import json

    response = client.post(
        f"/api/v1/sessions/{session_id}/registrations",
        content=json.dumps(
            {**registration(counties[0]), "county": counties[0], "years_teaching": 12, "consent": True}
        ),
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert fetch(Enrollment.count()) == 0


def test_the_registration_form_redraws_a_bidi_name_with_the_reason(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    values = registration(counties[0], name="王" + RLO + "芳")
    response = client.post(
        f"/sessions/{session_id}/register",
        data={**values, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert 'id="e-name"' in response.text and 'value="王芳"' in response.text
    assert RLO not in response.text
    assert fetch(Enrollment.count()) == 0


def test_a_staff_form_with_nul_is_refused_without_a_server_error(client: TestClient[Any]) -> None:
    create_user("org", "organiser")
    login(client, "org")
    response = client.post(
        "/admin/counties",
        data={"code": "510823", "name": "剑阁" + NUL, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code in (400, 422), response.status_code
    from training.people.tables import County

    assert fetch(County.count()) == 0


def test_a_crafted_value_cannot_forge_a_log_line() -> None:
    import io
    import logging

    from training.app import OneLineFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("training.test.forgery")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        forged = "/x\n2026-12-01 00:00:00,000 INFO training.web: organiser logged in\r"
        logger.warning("unhandled error GET %s", forged)
        try:
            raise ValueError(forged)
        except ValueError:
            logger.exception("failed %s", forged)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    records = [line for line in lines if not line.startswith("    | ")]
    assert len(records) == 2  # one line per record; the traceback is indented under it
    assert all("\\n2026-12-01" in line for line in records)
    assert not any(line.startswith("2026-12-01 00:00:00,000") for line in lines)


def test_an_import_files_cells_get_the_same_refusal() -> None:
    from training.enrollment.importing import normalise

    _, errors = normalise({"name": "王" + RLO + "芳", "email": "a\x00@example.org", "school": ZWSP}, {})
    assert errors == {"name": textguard.BIDI, "email": textguard.CONTROL, "school": textguard.INVISIBLE}


def test_the_json_fast_path_skips_only_bodies_that_cannot_carry_a_refused_string() -> None:
    """`may_carry_problems` (bytes) agrees with `problem` (decoded text) on every code point below U+10000, raw or
    escaped, as a value and as a key: a body it lets through carries no refused string."""
    import json

    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = "名字" + chr(code)
        refused = textguard.problem(text) is not None
        for data in ({"name": text}, {text: 1}):
            raw = json.dumps(data, ensure_ascii=False).encode()
            escaped = json.dumps(data).encode()
            if refused:
                assert textguard.may_carry_problems(raw) and textguard.may_carry_problems(escaped), hex(code)
            assert not textguard.first_problems(data) or textguard.may_carry_problems(raw), hex(code)
    plain = json.dumps({"code": "TCABCDEFGHIJKLMNOPQRST", "block_id": 1, "client_id": "c-1"}).encode()
    assert not textguard.may_carry_problems(plain)

"""Forged, expired and replayed tokens and links are refused cleanly, with the right status, and write nothing.

Covers: QR check-in tokens, teachers' self-service links (status page, QR image, cancel, JSON), certificate
download links, verification of a serial that does not exist, and ids too large for any column.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from litestar.testing import TestClient

from tests.certificates.factory import make_world as certificate_world
from tests.certificates.factory import participants
from tests.checkin.world import make_world as checkin_world
from tests.enrollment.factory import fetch, make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, csrf_token, login_as
from training import keys
from training.audit.tables import AuditEntry
from training.certificates import batch
from training.certificates.tables import Certificate
from training.checkin.tables import CheckIn
from training.config import Settings
from training.core.links import LINK_LIFETIME_S, make_link_token
from training.core.tokens import make_token
from training.crypto import derive_key
from training.enrollment.tables import Enrollment
from training.mail.tables import OutboxMessage

OTHER_KEY = derive_key("some-other-installation-secret-" + "y" * 32, "link")


def _tamper(token: str) -> str:
    """Flip the last character: a token of the right shape whose MAC no longer matches."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def _redeem(client: TestClient[Any], code: str, block: int, client_id: str | None = None) -> dict[str, Any]:
    body = {"code": code, "block_id": block, "client_id": client_id or uuid.uuid4().hex, "device_id": "abuse"}
    response = client.post("/api/v1/checkin/redeem", json=body, headers=csrf_headers(client))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_forged_qr_tokens_are_invalid_and_a_replayed_scan_writes_nothing_new(client: TestClient[Any]) -> None:
    world = run_sync(checkin_world())
    login_as(client, "staff")
    person = world.people[0]
    block = world.blocks[0]
    forged = [
        _tamper(person.token),  # altered MAC
        make_token(derive_key("another-secret-" + "z" * 32, "qr"), person.enrollment_id),  # another key
        "A" * len(person.token),  # right length, nonsense
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "",
    ]
    for code in forged:
        answer = _redeem(client, code, block)
        assert answer["status"] == "invalid", (code, answer)
        assert "name" not in answer or not answer["name"], answer  # nothing about anyone leaks
    # An authentic token for an enrollment that does not exist.
    ghost = _redeem(client, make_token(keys.current().qr_token, 999_999), block)
    assert ghost["status"] in ("not_enrolled", "invalid"), ghost
    assert fetch(CheckIn.count()) == 0
    # Replays: the same scan (same client id) and the same code again (new client id) record one check-in.
    first = _redeem(client, person.token, block, client_id="replay-1")
    again = _redeem(client, person.token, block, client_id="replay-1")
    later = _redeem(client, person.token, block)
    assert first["status"] == "ok"
    assert again["status"] in ("ok", "already_checked_in") and later["status"] == "already_checked_in"
    assert fetch(CheckIn.count()) == 1


def _registered(client: TestClient[Any]) -> tuple[int, str]:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=5))
    response = client.post(
        f"/sessions/{session_id}/register",
        data={**registration(counties[0]), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return session_id, response.headers["location"].split("/")[2].split("?")[0]


def test_forged_and_expired_self_service_links_are_404_and_cannot_cancel(client: TestClient[Any]) -> None:
    _, token = _registered(client)
    enrollment = fetch(Enrollment.select().first())
    expired = make_link_token(
        keys.current().teacher_link, enrollment["id"], now=time.time() - LINK_LIFETIME_S - 60
    )
    bad_links = [
        _tamper(token),
        expired,
        make_link_token(OTHER_KEY, enrollment["id"]),
        make_link_token(keys.current().teacher_link, enrollment["id"] + 1),  # authentic, nobody's
        "not-a-token",
        "%3Cscript%3E",
    ]
    mail_before = fetch(OutboxMessage.count())
    audit_before = fetch(AuditEntry.count())
    for bad in bad_links:
        for path in (f"/me/{bad}", f"/me/{bad}/qr.png", f"/api/v1/me/{bad}"):
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert enrollment["manual_code"] not in response.text
        cancel = client.post(
            f"/me/{bad}/cancel", data={"_csrf_token": csrf_token(client)}, follow_redirects=False
        )
        assert cancel.status_code == 404, (bad, cancel.status_code)
    assert client.get("/api/v1/me/x").json()["error"] == "invalid_link"
    after = fetch(Enrollment.select().first())
    assert after["status"] == enrollment["status"] == "confirmed"
    assert fetch(OutboxMessage.count()) == mail_before and fetch(AuditEntry.count()) == audit_before
    # The genuine link still works, and cancelling twice (a replayed form post) changes nothing the second time.
    assert client.get(f"/me/{token}").status_code == 200
    first = client.post(
        f"/me/{token}/cancel", data={"_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert first.status_code == 302
    mails_after_cancel = fetch(OutboxMessage.count())
    replay = client.post(
        f"/me/{token}/cancel", data={"_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert replay.status_code in (302, 409), replay.status_code
    assert fetch(Enrollment.select().first())["status"] == "cancelled"
    assert fetch(OutboxMessage.count()) == mails_after_cancel  # no second cancellation email


def test_certificate_links_need_the_owners_unexpired_token_and_unknown_serials_are_404(
    client: TestClient[Any], settings: Settings
) -> None:
    world = run_sync(certificate_world())
    first, second = run_sync(participants(world, 2))
    run_sync(batch.issue_session(world.session_id, settings, workers=1))
    certs = {c["enrollment"]: c for c in fetch(Certificate.select())}
    serial = certs[first]["serial"]
    link_key = keys.current().teacher_link
    good = make_link_token(link_key, first)
    assert client.get(f"/certificates/{serial}.pdf?t={good}").status_code == 200
    refused = [
        make_link_token(link_key, second),  # another teacher's genuine link
        make_link_token(link_key, first, now=time.time() - LINK_LIFETIME_S - 60),  # expired
        _tamper(good),
        make_link_token(OTHER_KEY, first),
        "",
    ]
    for token in refused:
        response = client.get(f"/certificates/{serial}.pdf?t={token}")
        assert response.status_code == 404, (token, response.status_code)
        assert response.headers["content-type"].startswith("text/html")
    assert client.get(f"/certificates/NOPE-0000.pdf?t={good}").status_code == 404
    assert client.get(f"/certificates/{serial}.png?t={good}").status_code == 404
    # Verifying a serial nobody has: 404 on the page and the API, echoing only the (trimmed) serial.
    before = fetch(Certificate.count())
    for odd in ("NOPE-0000", "<img src=x onerror=alert(1)>", "' OR '1'='1", "x" * 500):
        api = client.get(f"/api/v1/verify/{odd}")
        assert api.status_code == 404 and api.json()["status"] == "unknown", api.text
        page = client.get(f"/verify/{odd}")
        assert page.status_code == 404 and "<img src=x" not in page.text
    assert fetch(Certificate.count()) == before


def test_ids_too_large_for_any_column_are_404_not_500(client: TestClient[Any]) -> None:
    login_as(client, "organiser")
    huge = "60749382262507020746752"
    for path in (
        f"/api/v1/sessions/{huge}",
        f"/api/v1/blocks/{huge}",
        f"/api/v1/schools/{huge}",
        f"/api/v1/sessions/{2**31}",  # fits SQLite's INTEGER but not PostgreSQL's int4
    ):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code, response.text)
        assert response.json()["error"] == "not_found"
    page = client.get(f"/admin/sessions/{huge}")
    assert page.status_code == 404
    write = client.put(
        f"/api/v1/blocks/{huge}", json={"hours": 3}, headers=csrf_headers(client), follow_redirects=False
    )
    assert write.status_code in (404, 400, 422), write.text

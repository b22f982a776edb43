"""The organiser's outbox page and JSON API."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.kit.web import csrf_headers, csrf_token, login_as
from tests.mail.helpers import queue as queue_with_body
from tests.mail.helpers import status_of


def queue(to: str, subject: str, status: str = "pending", error: str = "") -> int:
    return queue_with_body(to, subject, status, error, body="正文不应出现在页面上")


def test_page_shows_counts_and_masked_recipients_but_no_bodies(client: TestClient[Any]) -> None:
    queue("zhang.san@example.org", "报名确认", "failed", "recipient refused: 550 mailbox unavailable")
    queue("li.si@example.org", "候补转正", "pending")
    queue("wang.wu@example.org", "已发送的邮件", "sent")
    login_as(client, "organiser")
    page = client.get("/admin/mail")
    assert page.status_code == 200
    html = page.text
    assert "zh***@example.org" in html and "li***@example.org" in html
    assert "zhang.san@example.org" not in html and "li.si@example.org" not in html
    assert "正文不应出现在页面上" not in html
    assert "recipient refused: 550 mailbox unavailable" in html
    assert "已发送的邮件" not in html  # the default view is what needs attention
    assert 'data-status="failed">1<' in html and 'data-status="sent">1<' in html
    assert "重新发送" in html
    assert "已发送的邮件" in client.get("/admin/mail?show=sent").text


def test_resend_from_the_page_needs_the_csrf_token(client: TestClient[Any]) -> None:
    failed = queue("zhang.san@example.org", "报名确认", "failed", "550")
    login_as(client, "organiser")
    refused = client.post(f"/admin/mail/{failed}/resend", follow_redirects=False)
    assert refused.status_code == 403
    assert status_of(failed) == "failed"

    response = client.post(
        f"/admin/mail/{failed}/resend", data={"_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"] == f"/admin/mail?resent={failed}"
    assert status_of(failed) == "pending"
    assert "已重新排队" in client.get(response.headers["location"]).text


def test_only_failed_messages_can_be_resent(client: TestClient[Any]) -> None:
    sent = queue("zhang.san@example.org", "报名确认", "sent")
    login_as(client, "organiser")
    response = client.post(f"/api/v1/mail/{sent}/resend", headers=csrf_headers(client))
    assert response.status_code == 409
    assert response.json()["error"] == "mail_not_failed"
    assert client.post("/api/v1/mail/999999/resend", headers=csrf_headers(client)).status_code == 404


def test_api_lists_by_status_and_resends(client: TestClient[Any]) -> None:
    failed = queue("zhang.san@example.org", "报名确认", "failed", "550 no such user")
    queue("li.si@example.org", "候补转正", "pending")
    login_as(client, "organiser")
    listing = client.get("/api/v1/mail", params={"status": "failed"})
    assert listing.status_code == 200
    body = listing.json()
    assert body["counts"] == {"pending": 1, "sending": 0, "sent": 0, "failed": 1}
    assert [(m["id"], m["to"], m["last_error"]) for m in body["items"]] == [
        (failed, "zh***@example.org", "550 no such user")
    ]
    assert "body_text" not in body["items"][0]
    assert len(client.get("/api/v1/mail").json()["items"]) == 2
    assert client.get("/api/v1/mail", params={"status": "bogus"}).status_code == 422

    resent = client.post(f"/api/v1/mail/{failed}/resend", headers=csrf_headers(client))
    assert resent.status_code == 200
    assert resent.json() == {"id": failed, "status": "pending"}
    assert client.get("/api/v1/mail", params={"status": "failed"}).json()["items"] == []


def test_only_organisers_see_the_outbox(client: TestClient[Any]) -> None:
    assert client.get("/api/v1/mail").status_code == 401
    login_as(client, "staff")
    assert client.get("/admin/mail").status_code == 403
    assert client.get("/api/v1/mail").status_code == 403

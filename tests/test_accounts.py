"""Staff log-in, log-out, CSRF, role guards and throttling through the real app."""

from typing import Any

from litestar.testing import TestClient

from tests.kit.web import csrf_token, login
from tests.kit.world import PASSWORD, create_user


def test_login_and_logout(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    response = login(client, "li")
    assert response.headers["location"].endswith("/admin")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/admin").status_code == 200
    out = client.post("/logout", data={"_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert out.status_code == 302
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].startswith("/login?next=")


def test_wrong_password_shows_the_error_next_to_the_field_and_keeps_the_username(
    client: TestClient[Any],
) -> None:
    create_user("li", "organiser")
    response = client.post(
        "/login", data={"username": "li", "password": "nope-nope-nope", "_csrf_token": csrf_token(client)}
    )
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text
    assert 'value="li"' in response.text
    assert "nope-nope-nope" not in response.text


def test_english_is_switchable(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    client.get("/lang/en")
    response = client.post(
        "/login", data={"username": "li", "password": "wrong-password", "_csrf_token": csrf_token(client)}
    )
    assert "Wrong user name or password." in response.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    client.get("/login")
    response = client.post("/login", data={"username": "li", "password": PASSWORD})
    assert response.status_code == 403
    assert "表单已过期" in response.text


def test_on_site_staff_cannot_open_organiser_pages(client: TestClient[Any]) -> None:
    create_user("scan", "staff")
    login(client, "scan")
    assert client.get("/admin/counties").status_code == 403
    assert client.get("/admin").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client: TestClient[Any]) -> None:
    response = client.get("/admin/counties", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/admin/counties"


def test_wrong_passwords_make_this_user_and_address_wait(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login", data={"username": "li", "password": "bad-password-x", "_csrf_token": token}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    # Even the right password waits (from this address; other addresses are not affected, see
    # tests/security/test_login_throttle.py), and the page says how long.
    response = client.post("/login", data={"username": "li", "password": PASSWORD, "_csrf_token": token})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0 and "秒后再试" in response.text


def test_redirect_after_login_stays_on_this_site(client: TestClient[Any]) -> None:
    create_user("li", "organiser")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": "li", "password": PASSWORD, "next": "//evil.example/x", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/admin"

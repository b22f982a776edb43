from typing import Any

from litestar.testing import TestClient


def test_healthz_reports_the_database(client: TestClient[Any]) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unknown_pages_get_a_friendly_404(client: TestClient[Any]) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert response.headers["x-request-id"] in response.text


def test_unknown_api_routes_answer_json(client: TestClient[Any]) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_security_headers(client: TestClient[Any]) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_openapi_schema_is_served(client: TestClient[Any]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "training"


def test_static_files_are_served_by_the_app(client: TestClient[Any]) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and "--brand" in response.text


def test_pages_contain_no_external_urls(client: TestClient[Any]) -> None:
    for path in ("/", "/login"):
        html = client.get(path).text
        assert "http://" not in html.replace("http://testserver.local", "") and "https://" not in html

"""URLs come from route names: every named route reverses, and no template writes an internal path by hand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.handlers import BaseRouteHandler
from litestar.routes import HTTPRoute

from training.rendering.templates import TEMPLATES_DIR
from training.web import urls

# A sample value per path-parameter type, to fill every route's placeholders.
SAMPLES: dict[str, Any] = {"int": 7, "str": "x1"}
PARAMETER = re.compile(r"\{(\w+):(\w+)\}")


def _named_routes(app: Any) -> dict[str, set[str]]:
    """Route name → the declared paths of its handler ("/me/{token:str}")."""
    named: dict[str, set[str]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if (
                isinstance(handler, BaseRouteHandler)
                and handler.name
                and handler.handler_name != "options_handler"
            ):
                named.setdefault(handler.name, set()).add(route.path)
    return named


def _fill(path: str) -> tuple[str, dict[str, Any]]:
    params = {name: SAMPLES[kind] for name, kind in PARAMETER.findall(path)}
    filled = PARAMETER.sub(lambda m: str(SAMPLES[m.group(2)]), path)
    return filled, params


def test_every_named_route_reverses_to_its_own_path(app: Any) -> None:
    named = _named_routes(app)
    assert len(named) > 150  # every page, form target and download has a name
    wrong = {}
    for name, paths in named.items():
        if name.startswith("static") or name.endswith("_litestar_openapi_json"):
            continue  # static files: below; the schema is Litestar's own
        assert len(paths) == 1, f"{name} serves {sorted(paths)}: one name, one path, or links cannot choose"
        expected, params = _fill(next(iter(paths)))
        if app.route_reverse(name, **params) != expected or urls.path_for(name, **params) != expected:
            wrong[name] = expected
    assert wrong == {}
    # the static files router: url_for('static', file_path=...) in templates
    assert app.route_reverse("static", file_path="css/app.css") == "/static/css/app.css"


def test_names_are_unique_across_handlers(app: Any) -> None:
    # Litestar refuses a duplicate name at start-up; this names the rule the reversal relies on.
    handlers = [h for r in app.routes if isinstance(r, HTTPRoute) for h in r.route_handlers if h.name]
    by_name: dict[str, set[int]] = {}
    for handler in handlers:
        by_name.setdefault(handler.name, set()).add(id(handler))
    assert [name for name, ids in by_name.items() if len(ids) > 1] == []


def test_path_for_adds_a_query_and_a_fragment() -> None:
    assert (
        urls.path_for("login", query={"next": "/admin/mail?show=failed"})
        == "/login?next=/admin/mail%3Fshow%3Dfailed"
    )
    assert urls.path_for("account_detail", user_id=3, query={"done": "created", "skip": None}) == (
        "/admin/accounts/3?done=created"
    )
    assert urls.path_for("certificates_session", session_id=4, fragment="print") == (
        "/admin/certificates/sessions/4#print"
    )
    assert urls.absolute_url("https://px.example.cn/", "verify_page", serial="AB12") == (
        "https://px.example.cn/verify/AB12"
    )


def test_path_for_works_without_a_running_app(monkeypatch: pytest.MonkeyPatch) -> None:
    # the CLI sends mail without building the app: the links come from the same route table
    monkeypatch.setattr(urls, "_bound", [])
    assert urls.path_for("enrollment_status", token="tok") == "/me/tok"


# --- templates ------------------------------------------------------------------------------------------------

# An attribute that carries a URL, and its value when that value starts with "/" (a path on this site).
URL_ATTRIBUTE = re.compile(
    r"""\b(href|action|src|formaction|data-[\w-]*(?:url|base|sw))\s*=\s*["'](/[^"']*)["']"""
)
# A path assembled in a Jinja expression: '/admin/...' as a string literal inside {{ }} or {% %}.
PATH_LITERAL = re.compile(r"""\{[{%][^}]*?['"]/[a-z][^'"]*['"][^}]*[}%]\}""")

# What truly cannot come from a route name, each with why. (template, the literal value).
ALLOWED: dict[tuple[str, str], str] = {}


def _templates() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(TEMPLATES_DIR)), path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES_DIR.rglob("*.html"))
    ]


def test_no_template_hard_codes_an_internal_path() -> None:
    found = [
        (name, m.group(2))
        for name, text in _templates()
        for m in URL_ATTRIBUTE.finditer(text)
        if (name, m.group(2)) not in ALLOWED
    ]
    found += [(name, m.group(0)) for name, text in _templates() for m in PATH_LITERAL.finditer(text)]
    assert found == [], "use url_for(route_name, ...), or url_for('static', file_path=...) for a static file"


def test_every_url_for_in_a_template_names_a_route(app: Any) -> None:
    named = set(_named_routes(app))
    used = {m.group(1) for _, text in _templates() for m in re.finditer(r"url_for\(\s*'(\w+)'\s*[,)]", text)}
    assert used - named == set()


def test_the_check_catches_a_hard_coded_path() -> None:
    sample = '<a href="/admin/sessions/{{ s.id }}">x</a><form action="/me"></form><div data-progress-url="/api/v1/x">'
    assert [m.group(2) for m in URL_ATTRIBUTE.finditer(sample)] == [
        "/admin/sessions/{{ s.id }}",
        "/me",
        "/api/v1/x",
    ]
    assert PATH_LITERAL.search("{{ '/admin/sessions/%d'|format(1) }}")
    assert not URL_ATTRIBUTE.search("<a href=\"{{ url_for('home') }}\">")


def test_the_self_service_link_core_builds_is_the_status_route() -> None:
    # training.core imports no package (docs/architecture.md), so it cannot reverse a route name: this pins its
    # one hand-written path to the route it must match.
    from training import keys
    from training.core.links import self_service_url

    keys.configure("k" * 40)
    link = self_service_url("https://px.example.cn/", 5)
    token = link.rsplit("/", 1)[1]
    assert link == urls.absolute_url("https://px.example.cn", "enrollment_status", token=token)


def test_every_handler_of_ours_has_a_name(app: Any) -> None:
    unnamed = sorted(
        f"{sorted(handler.http_methods)} {route.path}"
        for route in app.routes
        if isinstance(route, HTTPRoute) and not route.path.startswith("/schema")
        for handler in route.route_handlers
        if not handler.name and handler.handler_name != "options_handler"
    )
    assert unnamed == []

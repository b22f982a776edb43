"""Schemathesis against the app's own OpenAPI schema: no 5xx, and every response conforms to the schema
(documented status code, content type, body schema, headers) — anonymously and as a logged-in organiser.

Bounded (a few examples per operation, positive generation only) and derandomised, so a run is reproducible and
takes well under a minute. The schema is loaded from the running app (`/schema/openapi.json`), and requests go
through Litestar's TestClient so that the session cookie and the CSRF header travel as a browser's would.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.enrollment.factory import make_counties, make_session
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, login
from tests.kit.world import create_user

EXAMPLES_PER_OPERATION = 8
# Every generated request is sent a second time with each string (path, query, body) carrying one of these: NUL,
# another C0 control, a right-to-left override, an isolate, and a value made only of zero-width characters.
# The answer must be a refusal (4xx with the error body), never a 2xx or a 5xx.
POISONS = ["\x00", "\x1b[2J", "\u202e", "\u2066", "\u200b\u200b"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that would end the test's own session or that are already exercised by other suites with real
# fixtures (none at the moment): keep this empty unless there is a reason, and write the reason down.
SKIP: set[tuple[str, str]] = set()


def _world() -> None:
    """A little data so that ids 1..3 exist and GETs have something to serialise."""
    counties = run_sync(make_counties())
    run_sync(make_session(counties, capacity=5))


def _fuzz(app: Litestar, client: TestClient[Any], headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_dict(client.get("/schema/openapi.json").json())
    failures: list[str] = []
    poisoned_statuses: list[int] = []
    poisons = itertools.cycle(POISONS)  # each generated request gets the next one: every kind on every route
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20, "the OpenAPI schema lists suspiciously few operations"
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case: Any) -> None:
            kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=headers)
            kwargs.pop("url", None)
            method = kwargs.pop("method")
            path = case.formatted_path
            response = client.request(
                method,
                path,
                params=kwargs.get("params"),
                headers=kwargs.get("headers"),
                content=kwargs.get("data") if isinstance(kwargs.get("data"), (bytes, str)) else None,
                json=kwargs.get("json"),
                data=kwargs.get("data") if isinstance(kwargs.get("data"), dict) else None,
                follow_redirects=False,
            )
            try:
                case.validate_response(response, checks=CHECKS)
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # collect every operation's failure, not just the first
                failures.append(f"{method} {case.operation.path} -> {response.status_code}: {str(exc)[:300]}")
                raise
            poisoned_statuses.extend(
                _send_poisoned(client, case, method, kwargs.get("headers"), next(poisons), failures)
            )

        try:
            run()
        except (Exception, BaseExceptionGroup):
            continue
    # the poisoned requests reached the routes: a 422 refusal is the boundary check, (anonymous requests to guarded routes get 401 first)
    assert poisoned_statuses.count(422) > 10, sorted(set(poisoned_statuses))
    return failures


def _poisoned(value: Any, poison: str) -> tuple[Any, bool]:
    """value with every string carrying `poison` (zero-width-only poisons replace the string); whether any did."""
    if isinstance(value, str):
        return (poison if poison.startswith("\u200b") else value + poison), True
    if isinstance(value, dict):
        pairs = [(key, _poisoned(item, poison)) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, any(hit for _, (_, hit) in pairs)
    if isinstance(value, list):
        items = [_poisoned(item, poison) for item in value]
        return [item for item, _ in items], any(hit for _, hit in items)
    return value, False


def _send_poisoned(
    client: TestClient[Any], case: Any, method: str, headers: Any, poison: str, failures: list[str]
) -> list[int]:
    path_parameters, in_path = _poisoned(dict(case.path_parameters or {}), poison)
    query, in_query = _poisoned(dict(case.query or {}), poison)
    body, in_body = _poisoned(case.body, poison) if isinstance(case.body, dict | list) else (case.body, False)
    if not (in_path or in_query or in_body):
        return []
    path = case.operation.path
    for name, value in path_parameters.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    response = client.request(
        method,
        path,
        params=query or None,
        headers=headers,
        json=body if in_body else (case.body if isinstance(case.body, dict | list) else None),
        follow_redirects=False,
    )
    refused = 400 <= response.status_code < 500 and response.headers.get("content-type", "").startswith(
        "application/json"
    )
    if not refused or "error" not in response.json():
        failures.append(f"{method} {case.operation.path} with {poison!r} -> {response.status_code}")
    return [response.status_code]


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "organiser"])
def test_the_api_answers_every_generated_request_as_its_schema_says(
    app: Litestar, client: TestClient[Any], role: str
) -> None:
    _world()
    if role == "organiser":
        create_user("fuzz-organiser", "organiser")
        login(client, "fuzz-organiser")
    failures = _fuzz(app, client, csrf_headers(client))
    assert not failures, "\n\n".join(failures)

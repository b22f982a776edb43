"""Schemathesis against the app's own OpenAPI schema: no 5xx, and every response conforms to the schema
(documented status code, content type, body schema, headers) — anonymously and as a logged-in organiser.

Bounded (a few examples per operation, positive generation only) and derandomised, so a run is reproducible and
takes well under a minute. The schema is loaded from the running app (`/schema/openapi.json`), and requests go
through Litestar's TestClient so that the session cookie and the CSRF header travel as a browser's would.
"""

from __future__ import annotations

from typing import Any

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
from tests.helpers import create_user, csrf_headers, login, run_sync

EXAMPLES_PER_OPERATION = 8
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

        try:
            run()
        except (Exception, BaseExceptionGroup):
            continue
    return failures


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

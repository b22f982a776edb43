"""Every route × every role: guarded routes refuse the wrong people, and nothing answers 5xx to bogus ids.

The expectations come from the guards themselves (require_role attaches its roles), so a new route is covered
the moment it exists; a new state-changing route without a guard must be added to PUBLIC_WRITES on purpose.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_headers, login
from tests.kit.world import create_user

ROLES = ("anonymous", "organiser", "coordinator", "staff", "host")
# State-changing routes that anyone may call, each for a reason.
PUBLIC_WRITES = {
    "/login",  # logging in
    "/logout",  # ends one's own session
    "/sessions/{session_id:int}/register",  # teachers register without an account
    "/api/v1/sessions/{session_id:int}/registrations",  # the same, as JSON
    "/me",  # self-service look-up by ID number + mobile (rate-limited)
    "/me/{token:str}/cancel",  # cancel one's own enrollment; the signed link token is the credential
    # a nominee confirms or declines her own nomination; the signed link token is the credential
    "/me/{token:str}/nomination/accept",
    "/me/{token:str}/nomination/decline",
    # her own details: the signed link token is the credential, contact changes need a one-time code
    "/me/{token:str}/profile",
    "/me/{token:str}/profile/code",
    "/me/{token:str}/changes/{request_id:int}/send",
    "/me/{token:str}/changes/{request_id:int}/apply",
    "/me/{token:str}/survey",  # her evaluation survey answers: the signed link token is the credential
}
SKIP_PREFIXES = ("/static", "/schema")


def routes(app: Litestar) -> list[tuple[str, str, HTTPRouteHandler]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            for method in sorted(handler.http_methods):
                if method in ("HEAD", "OPTIONS") or route.path.startswith(SKIP_PREFIXES):
                    continue
                found.append((method, route.path, handler))
    return found


def allowed_roles(handler: HTTPRouteHandler) -> tuple[str, ...] | None:
    """None: public. Otherwise the roles the guards admit (empty tuple: any logged-in staff)."""
    guards = [getattr(guard, "func", guard) for guard in handler.resolve_guards()]
    role_sets = [guard.roles for guard in guards if hasattr(guard, "roles")]
    if not role_sets:
        return None
    admitted = set(role_sets[0] or ("organiser", "coordinator", "staff"))
    for roles in role_sets[1:]:
        admitted &= set(roles or ("organiser", "coordinator", "staff"))
    return tuple(sorted(admitted))


def concrete(path: str) -> str:
    return re.sub(r"\{[^}:]+(:[^}]+)?\}", "1", path)


def test_every_state_changing_public_route_is_deliberate(app: Litestar) -> None:
    unguarded = {
        path for method, path, handler in routes(app) if method != "GET" and allowed_roles(handler) is None
    }
    unexpected = {p for p in unguarded if p not in PUBLIC_WRITES}
    assert not unexpected, f"state-changing routes without a role guard: {sorted(unexpected)}"


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix(app: Litestar, client: TestClient[Any], role: str) -> None:
    county = run_sync(kit.county())
    if role != "anonymous":
        create_user(f"matrix-{role}", role, county if role == "coordinator" else None)
        login(client, f"matrix-{role}")
    headers = csrf_headers(client)
    failures = []
    for method, path, handler in routes(app):
        if path == "/logout":
            continue  # would end this test's own session
        admitted = allowed_roles(handler)
        response = client.request(method, concrete(path), headers=headers, follow_redirects=False)
        status = response.status_code
        where = f"{method} {path} as {role}: {status}"
        if status >= 500:
            failures.append(where + " (server error)")
        elif admitted is None:
            continue
        elif role == "anonymous":
            if status not in (401, 302) or (
                status == 302 and "/login" not in response.headers.get("location", "")
            ):
                failures.append(where + " (anonymous let through)")
        elif role not in admitted:
            if status != 403:
                failures.append(where + f" (expected 403; admitted {admitted})")
        elif status in (401, 403) and not (role == "host" and "not_assigned" in response.text):
            # a host coordinator is admitted to the scanner's API but scans only its own city's cohorts: block 1
            # belongs to none, so its scope (not its role) refuses it
            failures.append(where + " (refused an admitted role)")
    assert not failures, "\n".join(failures)

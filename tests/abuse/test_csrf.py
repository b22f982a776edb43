"""Every state-changing route refuses a request without the CSRF token, for every role that could send it.

Routes are enumerated from the app itself (the authorisation matrix's `routes`), so a new POST/PUT/PATCH/DELETE
is covered the moment it exists. Only paths the CSRF config explicitly excludes are skipped.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import create_user
from tests.security.test_authorization_matrix import concrete, routes
from training.audit.tables import AuditEntry

EXEMPT_KEY = "exclude_from_csrf"
# Routes that opt out with opt={"exclude_from_csrf": True}, each for a reason.
OPTED_OUT = {
    # Public JSON registration: uses no cookie and no session, so a forged cross-site request gains nothing a
    # direct request would not (it is rate-limited and validated the same way as the form).
    "/api/v1/sessions/{session_id:int}/registrations",
}


def _exempt(app: Litestar) -> list[str]:
    config = app.csrf_config
    assert config is not None, "CSRF protection is not configured"
    exclude = config.exclude or []
    return [exclude] if isinstance(exclude, str) else list(exclude)


def test_every_state_changing_route_without_the_csrf_token_is_refused(
    app: Litestar, client: TestClient[Any]
) -> None:
    exempt = _exempt(app)
    # Both GET-only probes without forms: exempt so that they hand out no CSRF cookie (the ping is the benchmark's
    # ceiling and the cookie was half its cost). Anchored: no other path may match them.
    assert exempt == ["^/healthz$", "^/api/v1/ping$"], f"new CSRF exemptions must be reviewed here: {exempt}"
    county = run_sync(kit.county())
    writes = [
        (m, p) for m, p, h in routes(app) if m not in ("GET", "HEAD", "OPTIONS") and not h.opt.get(EXEMPT_KEY)
    ]
    opted_out = {p for m, p, h in routes(app) if h.opt.get(EXEMPT_KEY)}
    assert opted_out == OPTED_OUT, f"routes that opt out of CSRF must be reviewed here: {sorted(opted_out)}"
    assert len(writes) > 40, "route enumeration found suspiciously few state-changing routes"
    audit_before = run_sync(AuditEntry.count())
    failures = []
    # Anonymous first, then as the most powerful role (an organiser whose browser was lured to a hostile page:
    # the session cookie is sent, the token is not) and as a coordinator.
    for role in ("anonymous", "organiser", "coordinator"):
        if role != "anonymous":
            create_user(f"csrf-{role}", role, county if role == "coordinator" else None)
            login(client, f"csrf-{role}")
        assert csrf_token(client)  # the cookie exists; only the header/form field is missing
        for method, path in writes:
            url = concrete(path)
            # A form post without _csrf_token, and a JSON body without x-csrftoken.
            for kwargs in ({"data": {"name": "x"}}, {"json": {"name": "x"}}):
                response = client.request(method, url, follow_redirects=False, **kwargs)
                if response.status_code != 403:
                    failures.append(f"{method} {path} as {role}: {response.status_code}")
            # A wrong token is no better than none.
            response = client.request(
                method, url, headers={"x-csrftoken": "forged" + "A" * 40}, follow_redirects=False
            )
            if response.status_code != 403:
                failures.append(f"{method} {path} as {role} with a forged token: {response.status_code}")
    assert not failures, "\n".join(failures)
    # Nothing was written by any of the refused requests (logging in writes its own audit rows, and making the
    # test's accounts theirs; none else).
    audit_rows = run_sync(AuditEntry.select(AuditEntry.action, AuditEntry.entity))
    assert all(
        "login" in row["action"] or (row["action"], row["entity"]) == ("create", "staff_user")
        for row in audit_rows[audit_before:]
    ), audit_rows

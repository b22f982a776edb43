"""Request context (id, language, logged-in staff) and security headers for every HTTP request."""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar._parsers import parse_cookie_string
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from training import i18n
from training.core.actor import Actor

SESSION_COOKIE = "training_session"
LANGUAGE_COOKIE = "lang"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Request ids only correlate log lines: a random prefix per process and a counter (16 hex digits, like before)
# instead of 8 bytes from the OS on every request.
_REQUEST_ID_PREFIX = secrets.token_hex(4)
_request_numbers = itertools.count(1)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def _request_headers(scope: Scope) -> tuple[str, str, str]:
    """The first X-Request-Id, Cookie and Authorization headers ("" when absent), in one pass over the headers
    (three passes cost a few µs on every request)."""
    request_id = cookie = authorization = None
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            if cookie is None:
                cookie = value.decode("latin-1")
        elif name == b"x-request-id":
            if request_id is None:
                request_id = value.decode("latin-1")
        elif name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
    return request_id or "", cookie or "", authorization or ""


def _query_language(scope: Scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    if not query:
        return None
    match = re.search(r"(?:^|&)lang=([A-Za-z_]+)", query)
    return match.group(1) if match and match.group(1) in i18n.LANGUAGES else None


log = logging.getLogger("training.web")
_CSP = CONTENT_SECURITY_POLICY.encode()
_FIXED_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# A teacher's own pages (self-service link, look-up answers) carry her data without a log-in: never cached.
_PERSONAL_PATHS = ("/me", "/api/v1/me/")
_REPLACED = {b"x-request-id", *(name for name, _ in _FIXED_HEADERS), _HSTS[0]}


async def _send_json(send: Send, status: int, code: str, request_id: str, fixed: list) -> None:
    body = json.dumps(
        {"error": code, "message": i18n.message_for(code), "request_id": request_id}, ensure_ascii=False
    ).encode()
    start: Any = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
            (b"content-security-policy", _CSP),
            *fixed,
        ],
    }
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)


@dataclass(frozen=True)
class Logins:
    """Who a request comes from, as the accounts domain answers it (training/app.py wires it in, so web code does
    not import a domain): the staff member behind a session cookie, the one behind an API token with its scopes,
    and whether those scopes allow a method on a path."""

    by_session: Callable[[str], Awaitable[Actor | None]]
    by_token: Callable[[str], Awaitable[tuple[Actor, frozenset[str]] | None]]
    token_allows: Callable[[frozenset[str], str, str], bool]


class RequestContext:
    """Wraps Litestar's whole ASGI handler (not a route middleware) so that 404s and errors get it too."""

    def __init__(self, app: ASGIApp, logins: Logins, https: bool = False, csrf_secret: str = "") -> None:
        self.app = app
        self.logins = logins
        self.https = https
        self.fixed_headers = [*_FIXED_HEADERS, _HSTS] if https else list(_FIXED_HEADERS)
        # A bearer token replaces the cookie and the CSRF token: its requests carry a matching CSRF pair made
        # here, so Litestar's CSRF check (meant for browsers, which send cookies by themselves) lets them through.
        self.csrf_pair: tuple[bytes, bytes] | None = None
        if csrf_secret:
            from litestar.middleware.csrf import generate_csrf_token

            token = generate_csrf_token(csrf_secret).encode()
            self.csrf_pair = (b"csrftoken=" + token, token)

    async def _bearer(
        self, scope: Scope, send: Send, state: dict, request_id: str, authorization: str
    ) -> bool:
        """Authenticate an /api/ request by its bearer token. False: refused (the answer is sent)."""
        secret = authorization[7:].strip()
        found = None
        try:
            found = await self.logins.by_token(secret)
        except Exception:  # database unreachable: the route will answer for itself
            log.exception("could not check an API token request_id=%s", request_id)
        if found is None:
            await _send_json(send, 401, "invalid_token", request_id, self.fixed_headers)
            return False
        principal, scopes = found
        if not self.logins.token_allows(scopes, str(scope.get("method", "GET")), scope["path"]):
            await _send_json(send, 403, "token_scope", request_id, self.fixed_headers)
            return False
        state["principal"] = principal
        state["api_token"] = True
        # the session cookie (if any) is ignored; a CSRF pair that matches stands in for the browser's
        headers = [(n, v) for n, v in scope.get("headers", []) if n not in (b"cookie", b"x-csrftoken")]
        if self.csrf_pair is not None:
            headers += [(b"cookie", self.csrf_pair[0]), (b"x-csrftoken", self.csrf_pair[1])]
        scope["headers"] = headers
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        next_app = self.app
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        incoming_id, cookie_header, authorization = _request_headers(scope)
        request_id = (
            incoming_id
            if _REQUEST_ID.match(incoming_id)
            else f"{_REQUEST_ID_PREFIX}{next(_request_numbers) & 0xFFFFFFFF:08x}"
        )
        state["request_id"] = request_id
        # Litestar's own parser (the one its CSRF middleware uses): http.cookies.SimpleCookie cost ~30 µs a request.
        cookies = parse_cookie_string(cookie_header) if cookie_header else {}
        language = _query_language(scope) or cookies.get(LANGUAGE_COOKIE) or i18n.DEFAULT_LANGUAGE
        token = i18n.set_language(language)
        state["language"] = i18n.current_language()
        state["principal"] = None
        if authorization[:7].lower() == "bearer " and scope["path"].startswith("/api/"):
            if not await self._bearer(scope, send, state, request_id, authorization):
                i18n._language.reset(token)
                return
        elif not scope["path"].startswith("/static/") and cookies.get(SESSION_COOKIE):
            try:
                state["principal"] = await self.logins.by_session(cookies[SESSION_COOKIE])
            except Exception:  # database unreachable: carry on anonymously, /healthz will tell
                log.exception("could not load the login session request_id=%s", request_id)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Raw (name, value) pairs: MutableScopeHeaders rescans the list on every assignment (~10 µs each).
                headers = [h for h in message.get("headers", ()) if h[0].lower() not in _REPLACED]  # ours win
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(self.fixed_headers)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", _CSP))
                if b"cache-control" not in present and (
                    state.get("principal") is not None or scope["path"].startswith(_PERSONAL_PATHS)
                ):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await next_app(scope, receive, send_with_headers)
        finally:
            i18n._language.reset(token)

"""Role guards for route handlers and controllers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from training.core.actor import Actor, Role
from training.web.context import principal_of

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def require_role(*roles: str) -> Guard:
    """Logged-in staff with one of `roles` (when none given: any role but host coordinators, who reach only the
    routes that name them, so a route added without thinking of them stays closed to them)."""

    # async: Litestar runs sync guards in a worker thread, an avoidable hop on every request
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal is None:
            raise NotAuthorizedException("not_authenticated")
        if roles and principal.role not in roles:
            raise PermissionDeniedException("forbidden")
        if not roles and principal.role == Role.HOST:
            raise PermissionDeniedException("forbidden")

    guard.roles = roles  # type: ignore[attr-defined]  # read by the authorisation-matrix test
    return guard


logged_in = require_role()
organiser_only = require_role("organiser")
organiser_or_coordinator = require_role("organiser", "coordinator")
checkin_staff = require_role("organiser", "staff", "host")
organiser_or_host = require_role("organiser", "host")


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """For handlers behind a guard: the principal, never None."""
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException("not_authenticated")
    return principal


class hot_post(post):
    """`@post` for the busiest guarded endpoints (check-in scans). Litestar hands each guard a `copy()` of the
    handler on every request (~17 µs, measured), so that a guard cannot alter it; ours only read the
    connection, so they get the handler itself."""

    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]

"""Per-request state: who is asking, which language, the request id."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from training.accounts.principal import Principal


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    return connection.scope.get("state", {}).get("principal")  # type: ignore[no-any-return]


def request_id_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return str(connection.scope.get("state", {}).get("request_id", "-"))


def is_api(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    path = connection.scope.get("path", "")
    return path.startswith("/api/") or path == "/healthz"


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    client = connection.scope.get("client")
    return client[0] if client else "unknown"

"""Per-request state: who is asking, which language, the request id."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

from training.core.actor import Actor


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    return connection.scope.get("state", {}).get("principal")  # type: ignore[no-any-return]


def base_url(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The public address the site is served at (TRAINING_BASE_URL), for links in mails and messages."""
    return str(connection.app.state["settings"].base_url)


def request_id_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return str(connection.scope.get("state", {}).get("request_id", "-"))


def is_api(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    path = connection.scope.get("path", "")
    return path.startswith("/api/") or path == "/healthz"


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: the peer, unless the peer is a proxy named in TRAINING_TRUSTED_PROXIES, in which case
    the nearest address in X-Forwarded-For that is not one of those proxies (anything further left was written by
    the client and could say anything)."""
    client = connection.scope.get("client")
    peer = client[0] if client else "unknown"
    app = connection.scope.get("litestar_app")
    settings = app.state.get("settings") if app is not None else None
    proxies = _trusted(settings.trusted_proxies if settings is not None else ())
    if not proxies:
        return peer
    forwarded = [
        value.decode("latin-1")
        for name, value in connection.scope.get("headers", [])
        if name == b"x-forwarded-for"
    ]
    return forwarded_client(peer, ",".join(forwarded), proxies)


@functools.cache
def _trusted(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _is_trusted(address: str, proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


def forwarded_client(
    peer: str, x_forwarded_for: str, proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> str:
    """Pure: walk X-Forwarded-For from the right past trusted proxies; the first other hop is the client. A hop
    that is not an address ends the walk at the last trusted hop (a proxy that wrote nonsense is not believed)."""
    if not _is_trusted(peer, proxies):
        return peer
    current = peer
    for hop in reversed([h.strip() for h in x_forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return current
        current = hop
        if not _is_trusted(hop, proxies):
            return hop
    return current

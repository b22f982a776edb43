"""Paths from route names: every internal link, form action and redirect is reversed from the handler's `name=`.

Templates call Litestar's `url_for(name, **path_params)` (a static file: `url_for("static", file_path=...)`). Python code
calls `path_for`, which reverses through the running application's `route_reverse`; outside the web process (the
CLI sending mail, a test calling a service) it reverses through a route table built once from the same handlers,
so a mail's link and a page's link come from one definition. Absolute links (mail, SMS, printed QR codes) join the
configured public base URL and the reversed path: `absolute_url`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import import_module
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Litestar

_bound: list[Litestar] = []


def bind(app: Litestar) -> None:
    """Reverse through this application from now on (create_app calls it; every app has the same routes)."""
    _bound[:] = [app]


@cache
def _route_table() -> Litestar:
    # Only the routes: no lifespan, no middleware, no schema. Built once per process that never built the app.
    # Imported by name: the domains import this module, and the app imports every domain.
    modules = import_module("training.app").DOMAIN_WEB_MODULES
    handlers = [h for name in modules for h in getattr(import_module(name), "route_handlers", [])]
    return Litestar(route_handlers=handlers, openapi_config=None)


def _router() -> Litestar:
    return _bound[0] if _bound else _route_table()


def path_for(
    name: str, /, *, query: Mapping[str, Any] | None = None, fragment: str = "", **path_params: Any
) -> str:
    """The path of the route named `name`, with its path parameters filled, then `?query` and `#fragment`.

    Query values that are None are left out, so optional filters can be passed as they are."""
    path = _router().route_reverse(name, **path_params)
    if query:
        pairs = {key: value for key, value in query.items() if value is not None}
        if pairs:
            path += "?" + urlencode(pairs, safe="/", quote_via=quote)
    if fragment:
        path += "#" + fragment
    return path


def absolute_url(
    base_url: str, name: str, /, *, query: Mapping[str, Any] | None = None, **path_params: Any
) -> str:
    """A link that leaves the site (mail, SMS, a QR code on paper): the public base URL and the reversed path."""
    return base_url.rstrip("/") + path_for(name, query=query, **path_params)

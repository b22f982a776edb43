"""The OpenAPI schema a client generator can trust: every JSON error answer documented, times of day as times,
choices with their allowed values.

Errors: clients (and schemathesis) know every status an /api/ route can give and the shape of its body.

Every error under /api/ has one shape (training.web.errors._json). Which statuses a route can answer follows from
how it is built: guarded → 401/403; any → 404 (an id in the path, body or a filter); a write → 409 (a domain conflict); anything → 422
(ValidationFailed) and 400 (Litestar's own parameter/body parsing, re-shaped by our handler); a public route →
429 (rate limited). A route that documents a status itself (e.g. verification's 404 "unknown") keeps its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import KwargDefinition, ParameterKwarg
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

# A time of day as the API reads and writes it (msgspec's ISO 8601 spelling, no zone: the programmes' local time).
TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"


class TimeOfDaySchema(OpenAPISchemaPlugin):
    """datetime.time is a time of day ("08:30:00"); Litestar documents it as `format: duration`, which client
    generators turn into an interval type and validators reject ("08:30:00" is not an ISO 8601 duration)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is time

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.TIME,
            pattern=TIME_OF_DAY_PATTERN,
            examples=["08:30:00"],
            description="local time of day (Asia/Shanghai), HH:MM[:SS]",
        )


@dataclass(frozen=True)
class _Choice(KwargDefinition):
    """Hashable although schema_extra is a dict: typing hashes Annotated metadata inside unions (`Mode | Unset`)."""

    def __hash__(self) -> int:
        return hash(tuple((self.schema_extra or {}).get("enum", ())))


@dataclass(frozen=True)
class _QueryChoice(ParameterKwarg):
    def __hash__(self) -> int:
        return hash(tuple((self.schema_extra or {}).get("enum", ())))


def choice(values: Iterable[str], description: str = "") -> KwargDefinition:
    """`Annotated[str, choice(VALUES)]` on a body or answer field: its allowed values in the schema (an `enum` a
    client generator can trust). A value outside them still reaches the service, which answers 422 naming the
    field, as before."""
    return _Choice(schema_extra={"enum": list(values)}, description=description or None)


def query_choice(values: Iterable[str], description: str = "") -> ParameterKwarg:
    """The same for a query parameter."""
    return _QueryChoice(schema_extra={"enum": list(values)}, description=description or None)


@dataclass
class ErrorBody:
    error: str
    message: str
    request_id: str
    fields: dict[str, str] | None = None
    params: dict[str, Any] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


_DESCRIPTIONS = {
    400: "Malformed parameters or body",
    401: "Not logged in",
    403: "Logged in without the right role, or the CSRF token is missing",
    404: "No such object (or not visible to this user)",
    409: "Conflicts with the current state",
    422: "Invalid values; `fields` maps each field to a reason code",
    415: "The body was not sent as JSON",
    429: "Too many attempts; retry later",
}


def error_statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    statuses = {400, 422}
    guarded = any(hasattr(getattr(g, "func", g), "roles") for g in handler.resolve_guards())
    writes = bool(set(handler.http_methods) - {"GET", "HEAD", "OPTIONS"})
    if guarded:
        statuses |= {401, 403}
    else:
        statuses.add(429)  # public routes are rate-limited
    # 404: the object in the path, one the body or a filter refers to (an id beyond the column's range included)
    statuses.add(404)
    if writes:
        statuses |= {403, 409, 415}  # 403 also covers a missing CSRF token; 415 a body not sent as JSON
    return statuses


def document_error_responses(app: Litestar) -> None:
    """Attach the error responses to every registered JSON route handler (before the schema is first built)."""
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            documented = dict(handler.responses or {})
            for status in error_statuses(handler, route.path):
                documented.setdefault(status, _spec(_DESCRIPTIONS[status]))
            handler.responses = documented

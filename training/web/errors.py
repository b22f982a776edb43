"""Exception handlers: JSON with a machine-readable reason under /api, friendly pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from training.errors import DomainError
from training.i18n import message_for
from training.web.context import is_api, request_id_of
from training.web.urls import path_for

log = logging.getLogger("training.web")

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_failed",
    429: "rate_limited",
}


def _json(status: int, code: str, request: Request[Any, Any, Any], **extra: Any) -> Response[Any]:
    params = extra.pop("params", {})
    body = {"error": code, "message": message_for(code, **params), **extra}
    if params:  # the numbers behind the reason (e.g. {"taken": 12}), for scripts
        body["params"] = params
    body["request_id"] = request_id_of(request)
    return Response(content=body, status_code=status, media_type="application/json")


def _page(status: int, code: str, request: Request[Any, Any, Any]) -> Response[Any]:
    return Template(
        template_name="errors/error.html",
        context={"status": status, "code": code, "request_id": request_id_of(request)},
        status_code=status,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if is_api(request):
        return _json(exc.status, exc.code, request, fields=exc.fields, params=exc.params)
    return _page(exc.status, exc.code, request)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    code = _STATUS_CODES.get(status, "bad_request")
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        code = "csrf_failed"
    if is_api(request):
        extra: dict[str, Any] = {}
        if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
            extra["fields"] = {
                str(item.get("key", "")): str(item.get("message", ""))
                for item in exc.extra
                if isinstance(item, dict)
            }
        return _json(status, code, request, **extra)
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=path_for("login", query={"next": target}))
    return _page(status, code, request)


def is_out_of_range_id(exc: BaseException) -> bool:
    """An integer no column can hold (a path id like 60749382262507020746752): SQLite raises OverflowError while
    binding it, asyncpg a DataError "value out of int32/int64 range". No row can have such an id."""
    if isinstance(exc, OverflowError):
        return True
    return type(exc).__name__ == "DataError" and "out of int" in str(exc) and "range" in str(exc)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_out_of_range_id(exc):
        # Not a server fault: the client asked for an object that cannot exist.
        if is_api(request):
            return _json(404, "not_found", request)
        return _page(404, "not_found", request)
    # Litestar with debug=False logs nothing by itself: leave a trace with the request id.
    log.exception(
        "unhandled error request_id=%s %s %s", request_id_of(request), request.method, request.url.path
    )
    if is_api(request):
        return _json(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", request)
    return _page(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", request)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
    Exception: internal_error_handler,
}

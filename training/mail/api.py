"""The outbox's JSON API: /api/v1/mail (counts and messages by status, recipients masked) and resending a failed
message."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from training.errors import ValidationFailed
from training.mail import service
from training.mail.states import OutboxStatus
from training.web.guards import organiser_only
from training.web.openapi import query_choice


@get("/api/v1/mail", name="api_mail_list", guards=[organiser_only], tags=["mail"], summary="Outbox by status")
async def api_mail_list(
    status: Annotated[str, query_choice(("", *service.STATUSES), "empty: any")] = "",
    limit: FromQuery[int] = 100,
    offset: FromQuery[int] = 0,
) -> dict[str, Any]:
    """Counts by status, and the messages with `status` (any when empty), newest first; recipients masked."""
    if status and status not in service.STATUSES:
        raise ValidationFailed({"status": "invalid_status"})
    limit = max(1, min(limit, 500))
    statuses = (status,) if status else service.STATUSES
    items = await service.list_messages(statuses, limit=limit, offset=max(offset, 0))
    return {"counts": await service.counts_by_status(), "items": [item.to_json() for item in items]}


@post(
    "/api/v1/mail/{message_id:int}/resend",
    name="api_mail_resend",
    guards=[organiser_only],
    tags=["mail"],
    summary="Queue a failed message again",
    status_code=200,
)
async def api_mail_resend(message_id: FromPath[int]) -> Response[dict[str, Any]]:
    await service.resend(message_id)
    return Response({"id": message_id, "status": OutboxStatus.PENDING})


api_handlers = [api_mail_list, api_mail_resend]

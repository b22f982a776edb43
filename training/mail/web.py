"""The organiser's view of the outbox (/admin/mail; its JSON API: api.py)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.core.actor import Role
from training.i18n import N_
from training.mail import labels, service
from training.mail.api import api_handlers
from training.mail.states import OutboxStatus
from training.web.guards import current_principal, organiser_only
from training.web.nav import NavItem
from training.web.urls import path_for

PAGE_SIZE = 100
# What each filter on the page shows.
FILTERS: dict[str, tuple[str, ...]] = {
    "attention": (OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.SENDING),
    "failed": (OutboxStatus.FAILED,),
    "pending": (OutboxStatus.PENDING, OutboxStatus.SENDING),
    "sent": (OutboxStatus.SENT,),
}


@get("/admin/mail", name="mail_admin", guards=[organiser_only], include_in_schema=False)
async def mail_page(show: FromQuery[str] = "attention", resent: FromQuery[int | None] = None) -> Template:
    if show not in FILTERS:
        show = "attention"
    return Template(
        template_name="mail/admin.html",
        context={
            "counts": await service.counts_by_status(),
            "messages": await service.list_messages(FILTERS[show], limit=PAGE_SIZE),
            "show": show,
            "filters": list(FILTERS),
            "resent": resent,
            "mail_status_label": labels.status_label,
            "mail_filter_label": labels.filter_label,
            "mail_kind_label": labels.kind_label,
        },
    )


@get("/admin/mail/{message_id:int}", name="mail_message", guards=[organiser_only], include_in_schema=False)
async def mail_message(request: Request[Any, Any, Any], message_id: FromPath[int]) -> Template:
    """One message as sent: the full recipient (the look is audited), subject, text and attachments."""
    message = await service.open_message(message_id, current_principal(request))
    return Template(
        template_name="mail/message.html",
        context={
            "m": message,
            "mail_status_label": labels.status_label,
            "mail_kind_label": labels.kind_label,
        },
    )


@post(
    "/admin/mail/{message_id:int}/resend",
    name="mail_resend",
    guards=[organiser_only],
    include_in_schema=False,
)
async def mail_resend(message_id: FromPath[int]) -> Redirect:
    await service.resend(message_id)
    return Redirect(path=path_for("mail_admin", query={"resent": message_id}))


route_handlers: list[Any] = [mail_page, mail_message, mail_resend, *api_handlers]
nav_items = [NavItem(N_("Mail"), "mail_admin", (Role.ORGANISER,), order=80)]

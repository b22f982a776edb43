"""Sign-in sheets (签到表) on the web: one PDF per block, for organisers to print before the block."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Response

from training.checkin import rosters
from training.checkin.signin_sheet import Person, Sheet, sheet_pdf
from training.errors import NotFound
from training.programmes.tables import Block
from training.web.guards import organiser_only

HALF_DAY_LABELS = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}


def block_label(block: dict[str, Any]) -> str:
    day = block["day"]
    half = HALF_DAY_LABELS.get(block["half_day"], "")
    return (
        f"{day.year}年{day.month}月{day.day}日 {half} {block['starts_at']:%H:%M}–{block['ends_at']:%H:%M}"
    ).replace("  ", " ")


async def sheet_for_block(session_id: int, block_id: int, organisation: str) -> Sheet:
    """The block's sheet: the session's confirmed teachers in county, then name order."""
    block = await Block.select().where((Block.id == block_id) & (Block.session == session_id)).first()
    if block is None:
        raise NotFound()
    title, people = await rosters.badge_people(session_id)
    rows = sorted(people, key=lambda p: (p.county or "", p.name, p.token))
    return Sheet(
        session_title=title,
        block_label=block_label(block),
        topic=block["topic"] or "",
        organisation=organisation,
        people=tuple(Person(p.name, p.county or "", p.school or "", p.token) for p in rows),
    )


@get(
    "/admin/sessions/{session_id:int}/blocks/{block_id:int}/signin.pdf",
    name="checkin_signin_sheet",
    guards=[organiser_only],
    include_in_schema=False,
)
async def signin_sheet_pdf(
    request: Request[Any, Any, Any], session_id: FromPath[int], block_id: FromPath[int]
) -> Response[bytes]:
    settings = request.app.state["settings"]
    sheet = await sheet_for_block(session_id, block_id, settings.organisation_name)
    pdf = await asyncio.to_thread(sheet_pdf, sheet)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="signin-{session_id}-{block_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


route_handlers: list[Any] = [signin_sheet_pdf]

"""Which block to scan for: the sessions running around today with their blocks, and the one to preselect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from training.checkin import sql
from training.core.clock import LOCAL_TZ


@dataclass(frozen=True, slots=True)
class BlockChoice:
    id: int
    session_id: int
    day: date
    half_day: str
    starts_at: time
    ends_at: time
    topic: str
    cancelled: bool


@dataclass(frozen=True, slots=True)
class SessionChoice:
    id: int
    title: str
    blocks: list[BlockChoice] = field(default_factory=list)


def current_block_id(blocks: list[BlockChoice], now_local: datetime) -> int | None:
    """The block running now (from an hour before it starts), else the next one today, else None. Pure."""
    today = [b for b in blocks if b.day == now_local.date() and not b.cancelled]
    clock = now_local.time()
    for block in sorted(today, key=lambda b: b.starts_at):
        opens = (datetime.combine(block.day, block.starts_at) - timedelta(hours=1)).time()
        if opens <= clock <= block.ends_at or clock < block.starts_at:
            return block.id
    return None


async def scanner_choices(
    now: datetime | None = None, only: frozenset[int] | None = None
) -> tuple[list[SessionChoice], int | None, int | None]:
    """Sessions running around today with their blocks (`only`: of these sessions); the preselected (session,
    block)."""
    now_local = (now or datetime.now(UTC)).astimezone(LOCAL_TZ)
    sessions: dict[int, SessionChoice] = {}
    for row in await sql.blocks_around(now_local.date()):
        if only is not None and row["s_id"] not in only:
            continue
        session = sessions.setdefault(row["s_id"], SessionChoice(row["s_id"], row["title"]))
        session.blocks.append(
            BlockChoice(
                id=row["b_id"],
                session_id=row["s_id"],
                day=sql.as_date(row["day"]),
                half_day=row["half_day"],
                starts_at=sql.as_time(row["starts_at"]),
                ends_at=sql.as_time(row["ends_at"]),
                topic=row["topic"],
                cancelled=bool(row["cancelled"]),
            )
        )
    for session in sessions.values():
        chosen = current_block_id(session.blocks, now_local)
        if chosen is not None:
            return list(sessions.values()), session.id, chosen
    return list(sessions.values()), None, None


async def session_block(session_id: int, now: datetime | None = None) -> int | None:
    """The block of a session to show first: the one running today, else the latest one begun, else the first."""
    today = (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()
    rows = await sql.session_blocks(session_id)
    if not rows:
        return None
    begun = [r for r in rows if sql.as_date(r["day"]) <= today]
    return int((begun[-1] if begun else rows[0])["id"])

"""The timetable: a session's half-day blocks (attendance is recorded per block)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from training import db
from training.audit import writer as audit
from training.core.actor import Actor
from training.errors import NotFound
from training.programmes import hooks, rules
from training.programmes.models import TimetableBlock
from training.programmes.problems import Invalid, check
from training.programmes.rules import BlockDraft, Problem
from training.programmes.session_setup import lock_session, require_editable
from training.programmes.tables import Block

BLOCK_FIELDS = (
    "day",
    "half_day",
    "starts_at",
    "ends_at",
    "topic",
    "instructor",
    "room",
    "hours",
    "cancelled",
)


def block_row(session_id: int, block: BlockDraft) -> Block:
    return Block(
        session=session_id,
        day=block.day,
        half_day=block.half_day,
        starts_at=block.starts_at,
        ends_at=block.ends_at,
        topic=block.topic.strip(),
        instructor=block.instructor.strip(),
        room=block.room.strip(),
        hours=block.effective_hours(),
        cancelled=block.cancelled,
    )


def _block_values(block: BlockDraft) -> dict[str, Any]:
    return {k: getattr(block, k) for k in BLOCK_FIELDS} | {"hours": block.effective_hours()}


async def list_blocks(session_id: int) -> list[TimetableBlock]:
    query = Block.select().where(Block.session == session_id)
    rows = await query.order_by(Block.day).order_by(Block.starts_at).order_by(Block.id)
    return [TimetableBlock.from_row(r) for r in rows]


async def get_block(block_id: int) -> TimetableBlock:
    row = await Block.select().where(Block.id == block_id).first()
    if row is None:
        raise NotFound()
    return TimetableBlock.from_row(row)


async def add_blocks(actor: Actor | None, session_id: int, blocks: Sequence[BlockDraft]) -> list[int]:
    """One block, or a whole day at once: all are checked against the session and each other, all or none."""
    if not blocks:
        raise Invalid([Problem("parts", "empty_day")])
    async with db.transaction():
        session = await lock_session(session_id)
        require_editable(session)
        existing = await list_blocks(session_id)
        problems: list[Problem] = []
        for i, block in enumerate(blocks):
            found = rules.check_block(
                block,
                starts_on=session.starts_on,
                ends_on=session.ends_on,
                others=[*existing, *blocks[:i]],
            )
            # In a whole day the parts share one "day" field; their own fields are prefixed (afternoon_topic).
            prefix = f"{block.half_day}_" if len(blocks) > 1 else ""
            problems += [
                Problem(p.field if p.field == "day" else prefix + p.field, p.code, p.params) for p in found
            ]
        check(problems)
        rows = await Block.insert(*[block_row(session_id, b) for b in blocks])
        ids = [int(r["id"]) for r in rows]
        for block_id, block in zip(ids, blocks, strict=True):
            await audit.record_change(
                actor, "block", block_id, None, {"session": session_id, **_block_values(block)}
            )
    return ids


async def update_block(actor: Actor | None, block_id: int, block: BlockDraft) -> None:
    async with db.transaction():
        before = await get_block(block_id)
        session = await lock_session(before.session)
        require_editable(session)
        others = [b for b in await list_blocks(session.id) if b.id != block_id]
        check(rules.check_block(block, starts_on=session.starts_on, ends_on=session.ends_on, others=others))
        values = _block_values(block)
        await Block.update({getattr(Block, k): v for k, v in values.items()}).where(Block.id == block_id)
        await audit.record_change(actor, "block", block_id, before.as_dict(), {**before.as_dict(), **values})
        # teachers are told only after the organiser previews the notice (training/notify/changes.py)
        await hooks.block_changed(session.as_dict(), before.as_dict(), values)


async def delete_block(actor: Actor | None, block_id: int) -> None:
    async with db.transaction():
        before = await get_block(block_id)
        session = await lock_session(before.session)
        require_editable(session)
        await hooks.refuse_if_held(hooks.block_deletion_checks, block_id)
        await Block.delete().where(Block.id == block_id)
        await audit.record_change(actor, "block", block_id, before.as_dict(), None)

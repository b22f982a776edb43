"""What check-ins forbid in a session's setup (registered in `programmes.hooks` by training/wiring.py)."""

from __future__ import annotations

from training.checkin.tables import CheckIn


async def block_has_checkins(block_id: int) -> str | None:
    """A block teachers have checked in to keeps its attendance: it cannot be deleted."""
    return "block_has_checkins" if await CheckIn.exists().where(CheckIn.block == block_id) else None

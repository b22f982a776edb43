"""Travel and rooms of a cohort's teachers, as the exchange package records them, for the host's cohort page.
None: no travel or rooming has been recorded for the cohort."""

from __future__ import annotations

from typing import Any


async def travel(session_id: int, enrollment_ids: list[int]) -> dict[int, Any] | None:
    return None


async def rooms(session_id: int, enrollment_ids: list[int]) -> dict[int, Any] | None:
    return None

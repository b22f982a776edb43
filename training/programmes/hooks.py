"""What programmes asks of the packages above it, through checks they register (`training/wiring.py` installs them).

- Deleting a block or a session asks every registered check first; a check answers the code of the conflict that
  forbids it ("block_has_checkins") or None. The codes' messages are in `programmes/problems.py`.
- Lowering a session's capacity asks every registered seat counter how many seats the session's registrations
  hold; the largest answer counts, besides the session's own `seats_taken`.
- Changing what teachers attend tells every registered `SessionListener`, inside the change's transaction (so
  what a listener writes commits or rolls back with the change): a block edited, a session's venue or dates
  edited, a session closed, a closed session reopened. `notify.changes` listens and drafts change notices.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, Protocol

from training.errors import Conflict

DeletionCheck = Callable[[int], Awaitable[str | None]]
SeatCounter = Callable[[int], Awaitable[int]]

block_deletion_checks: list[DeletionCheck] = []
session_deletion_checks: list[DeletionCheck] = []
seat_counters: list[SeatCounter] = []


class SessionListener(Protocol):
    """Rows are the stored session's and block's columns (`Session.as_dict()`, `TimetableBlock.as_dict()`)."""

    async def block_changed(
        self, session: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
    ) -> object: ...

    async def session_changed(self, before: dict[str, Any], after: dict[str, Any]) -> object: ...

    async def session_closed(self, session: dict[str, Any], today: date) -> object: ...

    async def session_reopened(self, session_id: int) -> object: ...


session_listeners: list[SessionListener] = []


def _add(registry: list[DeletionCheck] | list[SeatCounter], hook: DeletionCheck | SeatCounter) -> None:
    if hook not in registry:
        registry.append(hook)  # type: ignore[arg-type]


def check_block_deletion(check: DeletionCheck) -> None:
    _add(block_deletion_checks, check)


def check_session_deletion(check: DeletionCheck) -> None:
    _add(session_deletion_checks, check)


def count_seats(counter: SeatCounter) -> None:
    _add(seat_counters, counter)


def listen(listener: SessionListener) -> None:
    if listener not in session_listeners:
        session_listeners.append(listener)


async def refuse_if_held(checks: list[DeletionCheck], entity_id: int) -> None:
    """Raise the first registered check's conflict, if any."""
    for check in checks:
        code = await check(entity_id)
        if code is not None:
            raise Conflict(code)


async def seats_held(session_id: int) -> int:
    return max([await counter(session_id) for counter in seat_counters], default=0)


async def block_changed(session: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    for listener in session_listeners:
        await listener.block_changed(session, before, after)


async def session_changed(before: dict[str, Any], after: dict[str, Any]) -> None:
    for listener in session_listeners:
        await listener.session_changed(before, after)


async def session_closed(session: dict[str, Any], today: date) -> None:
    for listener in session_listeners:
        await listener.session_closed(session, today)


async def session_reopened(session_id: int) -> None:
    for listener in session_listeners:
        await listener.session_reopened(session_id)

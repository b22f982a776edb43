"""What programmes asks of the packages above it, through checks they register (`training/wiring.py` installs them).

- Deleting a block or a session asks every registered check first; a check answers the code of the conflict that
  forbids it ("block_has_checkins") or None. The codes' messages are in `programmes/problems.py`.
- Lowering a session's capacity asks every registered seat counter how many seats the session's registrations
  hold; the largest answer counts, besides the session's own `seats_taken`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from training.errors import Conflict

DeletionCheck = Callable[[int], Awaitable[str | None]]
SeatCounter = Callable[[int], Awaitable[int]]

block_deletion_checks: list[DeletionCheck] = []
session_deletion_checks: list[DeletionCheck] = []
seat_counters: list[SeatCounter] = []


def _add(registry: list[DeletionCheck] | list[SeatCounter], hook: DeletionCheck | SeatCounter) -> None:
    if hook not in registry:
        registry.append(hook)  # type: ignore[arg-type]


def check_block_deletion(check: DeletionCheck) -> None:
    _add(block_deletion_checks, check)


def check_session_deletion(check: DeletionCheck) -> None:
    _add(session_deletion_checks, check)


def count_seats(counter: SeatCounter) -> None:
    _add(seat_counters, counter)


async def refuse_if_held(checks: list[DeletionCheck], entity_id: int) -> None:
    """Raise the first registered check's conflict, if any."""
    for check in checks:
        code = await check(entity_id)
        if code is not None:
            raise Conflict(code)


async def seats_held(session_id: int) -> int:
    return max([await counter(session_id) for counter in seat_counters], default=0)

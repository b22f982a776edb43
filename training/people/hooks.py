"""What people tells the packages above it (`training/wiring.py` installs the listeners).

A teacher's corrected name is passed to every registered `NameCorrected` listener inside the transaction that
corrects her record (so what a listener writes commits or rolls back with the correction); `enrollment` carries
it into her enrollments' snapshots (a misspelt name is not history).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

NameCorrected = Callable[[int, str], Awaitable[object]]  # (teacher id, the corrected name)

name_listeners: list[NameCorrected] = []


def on_name_corrected(listener: NameCorrected) -> None:
    if listener not in name_listeners:
        name_listeners.append(listener)


async def name_corrected(teacher_id: int, name: str) -> None:
    for listener in name_listeners:
        await listener(teacher_id, name)

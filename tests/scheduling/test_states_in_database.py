"""The database itself refuses a session status or mode, a programme kind or layout, or a block's part of the day
that is not one of the named values (CHECK constraints on PostgreSQL, triggers on SQLite), on insert and update."""

from datetime import date, time
from typing import Any

import pytest

from tests.scheduling.factories import ORGANISER, block, programme, session_draft
from training.programmes import service
from training.programmes.states import HalfDay, ProgrammeKind, RegistrationMode, SessionStatus
from training.programmes.tables import Block, Programme, TrainingSession


async def _refused(query: Any, constraint: str) -> None:
    with pytest.raises(Exception) as caught:  # sqlite3.IntegrityError or asyncpg's CheckViolationError
        await query
    assert constraint in str(caught.value)


async def test_unknown_states_and_kinds_are_refused_by_the_database(adb) -> None:
    pid = await programme()
    sid = await service.create_session(ORGANISER, session_draft(pid))
    [bid] = await service.add_blocks(ORGANISER, sid, [block()])
    await _refused(
        TrainingSession.update({TrainingSession.status: "archived"}).where(TrainingSession.id == sid),
        "training_session_status_check",
    )
    await _refused(
        TrainingSession.update({TrainingSession.mode: "lottery"}).where(TrainingSession.id == sid),
        "training_session_mode_check",
    )
    await _refused(
        Programme.update({Programme.kind: "winter"}).where(Programme.id == pid), "programme_kind_check"
    )
    await _refused(
        Programme.update({Programme.certificate_layout: "square"}).where(Programme.id == pid),
        "programme_certificate_layout_check",
    )
    await _refused(Block.update({Block.half_day: "night"}).where(Block.id == bid), "block_half_day_check")
    await _refused(
        Block.insert(
            Block(session=sid, day=date(2020, 7, 16), half_day="noon", starts_at=time(12), ends_at=time(13))
        ),
        "block_half_day_check",
    )
    await _refused(
        Programme.insert(Programme(slug="winter", name="冬季班", kind="winter")), "programme_kind_check"
    )
    # the named values still pass, and nothing above was written
    await TrainingSession.update(
        {TrainingSession.status: SessionStatus.CLOSED, TrainingSession.mode: RegistrationMode.NOMINATION}
    ).where(TrainingSession.id == sid)
    await Programme.update({Programme.kind: ProgrammeKind.EXCHANGE}).where(Programme.id == pid)
    await Block.update({Block.half_day: HalfDay.EVENING}).where(Block.id == bid)
    stored = await TrainingSession.select(TrainingSession.status, TrainingSession.mode).first()
    assert stored == {"status": "closed", "mode": "nomination"}
    assert await Block.count() == 1 and await Programme.count() == 1

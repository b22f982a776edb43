"""The one way to ask for a session: the typed `Session` read model, its getter and its list queries."""

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime

import pytest

from tests.scheduling.factories import ORGANISER, programme, session_draft
from training.errors import NotFound
from training.programmes import service, sessions
from training.programmes.states import RegistrationMode, RegistrationWindow, SessionStatus
from training.programmes.tables import TrainingSession

OPENS = datetime(2020, 5, 1, tzinfo=UTC)
CLOSES = datetime(2020, 6, 30, tzinfo=UTC)


async def _session(pid: int | None = None, **overrides: object) -> int:
    pid = pid or await programme()
    draft = session_draft(pid, registration_opens_at=OPENS, registration_closes_at=CLOSES, **overrides)
    return await service.create_session(ORGANISER, draft)


async def test_get_session_gives_the_typed_row_with_its_programme_name(adb) -> None:
    sid = await _session(capacity=20)
    await TrainingSession.update({TrainingSession.seats_taken: 23}).where(TrainingSession.id == sid)
    session = await sessions.get_session(sid)
    assert isinstance(session, sessions.Session)
    assert (session.title, session.programme_name) == ("第10期暑期教师培训班", "暑期教师培训班")
    assert session.status is SessionStatus.DRAFT and session.mode is RegistrationMode.OPEN
    assert session.seats_left == 0  # more held than offered never shows as negative
    assert session.editable and session.has_threshold and not session.takes_online_registration
    with pytest.raises(FrozenInstanceError):
        session.title = "x"  # type: ignore[misc]
    with pytest.raises(NotFound):
        await sessions.get_session(sid + 1)


async def test_the_registration_window_is_computed_from_the_moment_asked() -> None:
    session = replace(_stub(), registration_opens_at=OPENS, registration_closes_at=CLOSES)
    assert session.registration_window(datetime(2020, 4, 30, tzinfo=UTC)) is RegistrationWindow.NOT_YET_OPEN
    assert session.registration_window(OPENS) is RegistrationWindow.OPEN
    assert session.registration_window(CLOSES) is RegistrationWindow.CLOSED
    always = replace(session, registration_opens_at=None, registration_closes_at=None)
    assert always.registration_window(datetime(2030, 1, 1, tzinfo=UTC)) is RegistrationWindow.OPEN


async def test_open_for_registration_lists_published_online_sessions_whose_window_has_not_closed(adb) -> None:
    pid = await programme()
    open_id = await _session(pid)
    nominated = await _session(pid, mode="nomination", title="第11期")
    for sid in (open_id, nominated):
        await TrainingSession.update({TrainingSession.status: "published"}).where(TrainingSession.id == sid)
    await _session(pid, title="草稿")  # a draft is never open
    found = await sessions.open_for_registration(datetime(2020, 6, 1, tzinfo=UTC))
    assert [s.id for s in found] == [open_id]
    assert await sessions.open_for_registration(CLOSES) == []
    page = await sessions.list_sessions(status=SessionStatus.PUBLISHED)
    assert page.total == 2 and {s.id for s in page.items} == {open_id, nominated}


def _stub() -> sessions.Session:
    row = {name: None for name in sessions.Session.__dataclass_fields__}
    row.update(
        id=1,
        programme=1,
        programme_name="暑期教师培训班",
        year=2020,
        title="第10期",
        starts_on=date(2020, 7, 15),
        ends_on=date(2020, 7, 18),
        capacity=10,
        seats_taken=0,
        mode="open",
        status="published",
        coordinators_get_contacts=False,
    )
    return sessions.Session.from_row(row)

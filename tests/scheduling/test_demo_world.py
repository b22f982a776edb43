"""The demo world (inserted directly into the scheduling tables) works on the scheduling pages and services."""

from __future__ import annotations

from datetime import date

import pytest

from tests.kit.sync import run_sync
from tests.kit.web import login_as
from tests.scheduling.factories import ORGANISER
from training.demo import load_demo
from training.errors import Conflict
from training.programmes import service, sessions
from training.programmes.tables import TrainingSession


def test_demo_sessions_render_and_the_9th_summer_session_copies_into_a_10th(client) -> None:
    run_sync(load_demo(seed=2019))
    login_as(client, "organiser")
    assert "第9期暑期教师培训班" in client.get("/admin").text
    ninth = run_sync(
        TrainingSession.select(TrainingSession.id)
        .where(TrainingSession.title == "第9期暑期教师培训班")
        .first()
        .run()
    )["id"]
    for path in (
        f"/admin/sessions/{ninth}",
        f"/admin/sessions/{ninth}/quotas",
        f"/admin/sessions/{ninth}/timetable",
    ):
        assert client.get(path).status_code == 200, path
    new_id = run_sync(service.copy_session(ORGANISER, ninth, starts_on=date(2031, 7, 15)))
    new = run_sync(sessions.get_session(new_id))
    assert new.title == "第10期暑期教师培训班" and new.status == "draft"
    assert len(run_sync(service.list_blocks(new_id))) == 8
    with pytest.raises(Conflict):  # the demo's 9th session is closed
        run_sync(
            service.update_session(ORGANISER, ninth, service.draft_of(run_sync(sessions.get_session(ninth))))
        )
    page = client.get("/admin/calendar")
    assert page.status_code == 200 and "第10期暑期教师培训班" in page.text

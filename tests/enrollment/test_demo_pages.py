"""The enrollment pages work on the demo world (training demo): the open summer session takes a registration,
the Jiangsu cohort takes a coordinator's nomination, rosters of past sessions render."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import fetch, id_number, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from tests.kit.world import required_answers
from training.demo import load_demo
from training.enrollment.tables import Enrollment
from training.people.tables import County
from training.programmes.tables import TrainingSession


def test_demo_world_registration_nomination_and_rosters(client: TestClient[Any]) -> None:
    run_sync(load_demo(seed=2019))
    sessions = client.get("/sessions")
    assert sessions.status_code == 200 and "第10期暑期教师培训班" in sessions.text
    upcoming = fetch(TrainingSession.select().where(TrainingSession.title == "第10期暑期教师培训班").first())
    jiange = fetch(County.select().where(County.code == "510823").first())
    values = registration(jiange["id"], 4242, id_number=id_number("510823", 4242), school="剑阁县实验小学")
    response = client.post(
        f"/sessions/{upcoming['id']}/register",
        data={**values, **run_sync(required_answers(upcoming["id"])), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    assert "已确认" in client.get(response.headers["location"]).text

    login(client, "jiange", "coordinator-510823")
    assert client.get("/nominations").status_code == 200
    cohort = fetch(
        TrainingSession.select()
        .where(TrainingSession.mode == "nomination")
        .where(TrainingSession.status == "published")
        .first()
    )
    nominee = registration(jiange["id"], 4343, id_number=id_number("510823", 4343))
    nominated = client.post(
        f"/nominations/{cohort['id']}",
        data={**nominee, **run_sync(required_answers(cohort["id"])), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert nominated.status_code == 302, nominated.text
    roster = client.get(f"/admin/enrollment/sessions/{cohort['id']}")
    assert roster.status_code == 200 and "王老师4343" in roster.text
    assert "喜德县" not in roster.text.split("<tbody>")[1]  # only the coordinator's own county

    client.post("/logout", data={"_csrf_token": csrf_token(client)})
    login(client, "organiser", "training-2019-org")
    assert client.get("/admin/enrollment").status_code == 200
    past = fetch(TrainingSession.select().where(TrainingSession.year == 2019).first())
    page = client.get(f"/admin/enrollment/sessions/{past['id']}?status=confirmed")
    assert page.status_code == 200 and "已确认" in page.text
    export = client.get(f"/admin/enrollment/sessions/{past['id']}/export?format=xlsx")
    assert export.status_code == 200 and len(export.content) > 2000
    assert fetch(Enrollment.count().where(Enrollment.source == "online")) == 1

"""On the demo world: the Jiange coordinator (`jiange`) finds her county's teachers on file for the open Jiangsu
cohort, sees who already went on an exchange, and nominates one in a click."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import fetch
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login
from training.demo import load_demo
from training.enrollment.tables import Enrollment
from training.mail.tables import OutboxMessage
from training.people.tables import County, Teacher, TeacherChangeRequest
from training.programmes.tables import TrainingSession


def test_the_demo_jiange_coordinator_nominates_a_teacher_on_file(client: TestClient[Any]) -> None:
    run_sync(load_demo(seed=2019))
    jiange = fetch(County.select().where(County.code == "510823").first())
    on_file = fetch(Teacher.count().where(Teacher.county == jiange["id"]))
    cohort = fetch(
        TrainingSession.select()
        .where(TrainingSession.mode == "nomination")
        .where(TrainingSession.status == "published")
        .first()
    )
    login(client, "jiange", "coordinator-510823")
    page = client.get(f"/nominations/{cohort['id']}")
    assert page.status_code == 200 and f"找到 {on_file} 位教师" in page.text and on_file > 150
    # some of them went on one of the six past cohorts
    pages = [client.get(f"/nominations/{cohort['id']}?page={n}").text for n in range(1, 4)]
    assert any("年已参加过交流" in p for p in pages)
    first = re.search(r'data-teacher="(\d+)"', pages[0])
    assert first is not None
    done = client.post(
        f"/nominations/{cohort['id']}/teacher/{first.group(1)}",
        data={"_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert done.status_code == 302, done.text
    row = fetch(Enrollment.select().where(Enrollment.session == cohort["id"]).first())
    assert row["status"] == "nominated" and row["teacher"] == int(first.group(1))
    assert fetch(OutboxMessage.count().where(OutboxMessage.kind == "nominated")) >= 1
    assert fetch(TeacherChangeRequest.count()) == 0  # her record is used as it is

"""Session questions through the real app: the organiser's Questions tab, the public registration form (errors next
to the field, what was typed kept, a staff-only field ignored), the roster, its XLSX and CSV exports (opened with
openpyxl), the roster's answers form, the JSON API; role scoping of every new route. Both engines."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook

from tests.enrollment.factory import make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.enrollment import answers
from training.enrollment.tables import Enrollment
from training.programmes import questions


@pytest.fixture
def teacher(app: Any) -> Iterator[TestClient[Any]]:
    """A second browser: the teacher, logged in as nobody."""
    with TestClient(app=app, base_url="http://testserver.local", raise_server_exceptions=False) as other:
        yield other


def _post(client: TestClient[Any], path: str, values: dict[str, Any]) -> Any:
    return client.post(path, data={**values, "_csrf_token": csrf_token(client)}, follow_redirects=False)


def _add(client: TestClient[Any], session_id: int, **values: str) -> int:
    response = _post(client, f"/admin/sessions/{session_id}/questions", values)
    assert response.status_code == 302, response.text
    return max(q.id for q in run_sync(questions.list_questions(session_id)))


def _setup(client: TestClient[Any]) -> tuple[list[int], int, dict[str, int]]:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=10))
    login_as(client, "organiser")
    ids = {
        "single_room": _add(
            client, session_id, label="需要单间吗？", kind="yesno", key="single_room", required="1"
        ),
        "diet": _add(
            client,
            session_id,
            label="饮食要求",
            kind="choices",
            choices="清真\n素食\n不吃辣",
            visibility="teacher",
        ),
        "arrival": _add(client, session_id, label="到达时间", kind="datetime", key="arrival_time"),
        "nights": _add(client, session_id, label="住宿晚数", kind="number"),
        "room": _add(client, session_id, label="房间号", kind="text", visibility="staff", key="room_no"),
    }
    return counties, session_id, ids


def test_the_organiser_adds_questions_and_a_teacher_answers_them_on_the_registration_form(
    client: TestClient[Any], teacher: TestClient[Any]
) -> None:
    counties, session_id, ids = _setup(client)
    page = client.get(f"/admin/sessions/{session_id}/questions")
    assert page.status_code == 200 and "需要单间吗？" in page.text and "single_room" in page.text
    # a bad definition is refused next to its field, what was typed kept
    bad = _post(
        client,
        f"/admin/sessions/{session_id}/questions",
        {"label": "餐别", "kind": "choice", "choices": "只有一个"},
    )
    assert bad.status_code == 422 and "请至少填写两个选项" in bad.text and "只有一个" in bad.text
    taken = _post(
        client, f"/admin/sessions/{session_id}/questions", {"label": "x", "kind": "text", "key": "room_no"}
    )
    assert taken.status_code == 422 and "已使用这个标识" in taken.text

    form = teacher.get(f"/sessions/{session_id}/register")
    assert form.status_code == 200
    assert "需要单间吗？" in form.text and "饮食要求" in form.text and "房间号" not in form.text
    values = registration(counties[0])
    wrong = _post(
        teacher,
        f"/sessions/{session_id}/register",
        {
            **values,
            f"q_{ids['arrival']}": "明天下午",
            f"q_{ids['nights']}": "三晚",
            f"q_{ids['diet']}_c1": "素食",
        },
    )
    assert wrong.status_code == 422
    # each error next to its field; the typed values kept
    assert re.search(rf'id="e-q_{ids["single_room"]}">此项为必填', wrong.text), wrong.text[-3000:]
    assert f'id="e-q_{ids["nights"]}">请输入数字' in wrong.text
    assert f'id="e-q_{ids["arrival"]}">请输入日期和时间' in wrong.text
    assert 'value="三晚"' in wrong.text and re.search(r'value="素食" checked', wrong.text)
    assert run_sync(Enrollment.count()) == 0
    ok = _post(
        teacher,
        f"/sessions/{session_id}/register",
        {
            **values,
            f"q_{ids['single_room']}": "yes",
            f"q_{ids['diet']}_c0": "清真",
            f"q_{ids['diet']}_c2": "不吃辣",
            f"q_{ids['arrival']}": "2027-07-14T16:20",
            f"q_{ids['nights']}": "4",
            f"q_{ids['room']}": "808",  # staff only: a teacher posting it changes nothing
        },
    )
    assert ok.status_code == 302, ok.text
    enrollment_id = int(run_sync(Enrollment.select(Enrollment.id).first())["id"])
    assert run_sync(answers.answers_by_key(session_id)) == {
        enrollment_id: {"single_room": True, "arrival_time": "2027-07-14T16:20"}
    }
    given = run_sync(answers.answers_of(session_id))[enrollment_id]
    assert given[ids["diet"]].value == ["清真", "不吃辣"] and given[ids["nights"]].value == 4
    assert ids["room"] not in given

    # the organiser fills the staff-only answer on the roster (required staff answers are enforced there)
    run_sync(
        questions.update_question(
            None,
            ids["room"],
            questions.QuestionDraft("房间号", kind="text", visibility="staff", key="room_no", required=True),
        )
    )
    edit = client.get(f"/admin/enrollment/enrollments/{enrollment_id}/answers")
    assert edit.status_code == 200 and "房间号" in edit.text and 'value="4"' in edit.text
    kept = {f"q_{ids['single_room']}": "yes", f"q_{ids['diet']}_c0": "清真", f"q_{ids['diet']}_c2": "不吃辣"}
    kept |= {f"q_{ids['arrival']}": "2027-07-14T16:20", f"q_{ids['nights']}": "4"}
    missing = _post(client, f"/admin/enrollment/enrollments/{enrollment_id}/answers", kept)
    assert missing.status_code == 422 and f'id="e-q_{ids["room"]}">此项为必填' in missing.text
    saved = _post(
        client, f"/admin/enrollment/enrollments/{enrollment_id}/answers", {**kept, f"q_{ids['room']}": "808"}
    )
    assert saved.status_code == 302

    # the wording changes after the answer: a new version, the old answer shown with the wording it answered
    run_sync(
        questions.update_question(
            None,
            ids["single_room"],
            questions.QuestionDraft("是否需要单人间？", kind="yesno", key="single_room", required=True),
        )
    )
    roster = client.get(f"/admin/enrollment/sessions/{session_id}")
    assert roster.status_code == 200
    assert "是否需要单人间？" in roster.text and "回答时的问题：需要单间吗？" in roster.text
    assert "清真、不吃辣" in roster.text and "2027-07-14 16:20" in roster.text and "808" in roster.text

    xlsx = client.get(f"/admin/enrollment/sessions/{session_id}/export?format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header, row = list(rows[0]), list(rows[1])
    assert header[-5:] == ["是否需要单人间？", "饮食要求", "到达时间", "住宿晚数", "房间号"]
    assert row[-5:] == ["是（回答的问题：需要单间吗？）", "清真、不吃辣", "2027-07-14 16:20", "4", "808"]
    text = client.get(f"/admin/enrollment/sessions/{session_id}/export?format=csv").content.decode(
        "utf-8-sig"
    )
    assert list(csv.reader(io.StringIO(text)))[1][-1] == "808"

    api = client.get(f"/api/v1/sessions/{session_id}/roster")
    assert api.status_code == 200
    by_key = {a["key"] or a["label"]: a for a in api.json()["rows"][0]["answers"]}
    assert by_key["single_room"]["value"] is True and by_key["single_room"]["outdated"] is True
    assert by_key["single_room"]["answered_label"] == "需要单间吗？"
    assert by_key["饮食要求"]["value"] == ["清真", "不吃辣"] and by_key["room_no"]["value"] == "808"
    # her /me page shows her answers with the wording she answered, never the staff-only ones
    mine = teacher.get(ok.headers["location"])
    assert mine.status_code == 200 and "我的回答" in mine.text
    assert "需要单间吗？" in mine.text and "清真、不吃辣" in mine.text and "808" not in mine.text
    # the teacher's own API view carries her answers, never the staff-only ones
    me = teacher.get(ok.headers["location"].replace("/me/", "/api/v1/me/").split("?")[0])
    assert me.status_code == 200
    assert {a["key"] for a in me.json()["answers"]} == {"single_room", "arrival_time", ""}
    assert "808" not in me.text


def test_coordinators_see_their_teachers_answers_but_cannot_edit_questions_or_staff_answers(
    client: TestClient[Any], teacher: TestClient[Any]
) -> None:
    counties, session_id, ids = _setup(client)
    values = registration(counties[0])
    ok = _post(teacher, f"/sessions/{session_id}/register", {**values, f"q_{ids['single_room']}": "no"})
    assert ok.status_code == 302, ok.text
    enrollment_id = int(run_sync(Enrollment.select(Enrollment.id).first())["id"])
    run_sync(
        answers.save(enrollment_id, run_sync(questions.list_questions(session_id)), {ids["room"]: "606"})
    )
    with TestClient(app=client.app, base_url="http://testserver.local") as coordinator:
        login_as(coordinator, "coordinator", county_id=counties[0])
        for path in (
            f"/admin/sessions/{session_id}/questions",
            f"/admin/questions/{ids['diet']}/edit",
            f"/admin/enrollment/enrollments/{enrollment_id}/answers",
        ):
            assert coordinator.get(path).status_code == 403, path
        for path, data in (
            (f"/admin/sessions/{session_id}/questions", {"label": "x", "kind": "text"}),
            (f"/admin/questions/{ids['diet']}/edit", {"label": "x", "kind": "text"}),
            (f"/admin/questions/{ids['diet']}/delete", {"confirm": "1"}),
            (f"/admin/questions/{ids['diet']}/move", {"step": "up"}),
            (f"/admin/enrollment/enrollments/{enrollment_id}/answers", {f"q_{ids['room']}": "1"}),
        ):
            assert _post(coordinator, path, data).status_code == 403, path
        roster = coordinator.get(f"/admin/enrollment/sessions/{session_id}")
        assert roster.status_code == 200 and "需要单间吗？" in roster.text
        assert "房间号" not in roster.text and "606" not in roster.text  # staff-only: organisers only
        sheet = load_workbook(
            io.BytesIO(coordinator.get(f"/admin/enrollment/sessions/{session_id}/export").content)
        ).active
        assert sheet is not None and "房间号" not in [c.value for c in sheet[1]]
        api = coordinator.get(f"/api/v1/sessions/{session_id}/roster").json()
        assert "room_no" not in {a["key"] for a in api["rows"][0]["answers"]}
    # anonymous: every organiser route asks for a log-in
    for path in (
        f"/admin/sessions/{session_id}/questions",
        f"/admin/enrollment/enrollments/{enrollment_id}/answers",
    ):
        assert teacher.get(path, follow_redirects=False).status_code in (302, 401, 403), path
    assert run_sync(questions.get_question(ids["diet"])).label == "饮食要求"


def test_deleting_an_answered_question_asks_first_then_archives_it(
    client: TestClient[Any], teacher: TestClient[Any]
) -> None:
    counties, session_id, ids = _setup(client)
    ok = _post(
        teacher,
        f"/sessions/{session_id}/register",
        {**registration(counties[0]), f"q_{ids['single_room']}": "yes"},
    )
    assert ok.status_code == 302
    asked = _post(client, f"/admin/questions/{ids['single_room']}/delete", {})
    assert asked.status_code == 200 and "已有人回答" in asked.text
    assert not run_sync(questions.get_question(ids["single_room"])).archived
    done = _post(client, f"/admin/questions/{ids['single_room']}/delete", {"confirm": "1"})
    assert done.status_code == 302 and "archived" in done.headers["location"]
    assert "需要单间吗？" not in teacher.get(f"/sessions/{session_id}/register").text
    roster = client.get(f"/admin/enrollment/sessions/{session_id}")
    assert "需要单间吗？" in roster.text and "（已归档）" in roster.text
    gone = _post(client, f"/admin/questions/{ids['nights']}/delete", {"confirm": "1"})
    assert gone.status_code == 302 and "deleted" in gone.headers["location"]
    moved = _post(client, f"/admin/questions/{ids['room']}/move", {"step": "up"})
    assert moved.status_code == 302
    order = [q.id for q in run_sync(questions.list_questions(session_id))]
    assert order == [ids["diet"], ids["room"], ids["arrival"]]


def test_a_coordinator_answers_her_nominees_questions_and_nothing_else(client: TestClient[Any]) -> None:
    from tests.kit import world as kit

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=10, mode="nomination"))
    login_as(client, "organiser")
    why = _add(client, session_id, label="推荐理由", kind="text", visibility="coordinator", required="1")
    single = _add(client, session_id, label="需要单间吗？", kind="yesno", key="single_room")
    room = _add(client, session_id, label="房间号", kind="text", visibility="staff")
    mine = run_sync(kit.enrollment(session_id, run_sync(kit.teacher(counties[0])), status="nominated"))
    theirs = run_sync(kit.enrollment(session_id, run_sync(kit.teacher(counties[1])), status="nominated"))
    with TestClient(app=client.app, base_url="http://testserver.local") as coordinator:
        login_as(coordinator, "coordinator", county_id=counties[0])
        roster = coordinator.get(f"/admin/enrollment/sessions/{session_id}")
        assert f"/admin/enrollment/enrollments/{mine}/answers" in roster.text
        page = coordinator.get(f"/admin/enrollment/enrollments/{mine}/answers")
        assert page.status_code == 200 and "推荐理由" in page.text and "房间号" not in page.text
        assert coordinator.get(f"/admin/enrollment/enrollments/{theirs}/answers").status_code == 403
        path = f"/admin/enrollment/enrollments/{mine}/answers"
        missing = _post(coordinator, path, {f"q_{single}": "yes"})
        assert missing.status_code == 422 and f'id="e-q_{why}">此项为必填' in missing.text
        assert 'value="yes" checked' in missing.text  # what she chose is kept
        done = _post(coordinator, path, {f"q_{single}": "yes", f"q_{why}": "骨干教师", f"q_{room}": "101"})
        assert done.status_code == 302
        assert _post(coordinator, f"/admin/enrollment/enrollments/{theirs}/answers", {}).status_code == 403
    given = run_sync(answers.answers_of(session_id))
    assert {q: a.value for q, a in given[mine].items()} == {single: True, why: "骨干教师"}
    assert theirs not in given


def test_the_registration_api_takes_answers_by_field_name(client: TestClient[Any]) -> None:
    counties, session_id, ids = _setup(client)
    body = {**registration(counties[0]), "county": counties[0], "years_teaching": 12, "consent": True}
    url = f"/api/v1/sessions/{session_id}/registrations"
    missing = client.post(url, json=body)
    assert missing.status_code == 422 and missing.json()["fields"] == {f"q_{ids['single_room']}": "required"}
    wrong = client.post(
        url, json={**body, "answers": {f"q_{ids['single_room']}": "no", f"q_{ids['nights']}": "x"}}
    )
    assert wrong.status_code == 422 and wrong.json()["fields"] == {
        f"q_{ids['nights']}": "question_number_invalid"
    }
    given = {f"q_{ids['single_room']}": "no", f"q_{ids['diet']}_c1": "1", f"q_{ids['room']}": "9"}
    created = client.post(url, json={**body, "answers": given})
    assert created.status_code == 201, created.text
    enrollment_id = created.json()["enrollment_id"]
    stored = run_sync(answers.answers_of(session_id))[enrollment_id]
    assert {q: a.value for q, a in stored.items()} == {ids["single_room"]: False, ids["diet"]: ["素食"]}
    assert "/api/v1/sessions/{session_id}/roster" in client.get("/schema/openapi.json").json()["paths"]


def test_the_nomination_form_asks_the_teacher_and_coordinator_questions(client: TestClient[Any]) -> None:
    from tests.kit import world as kit

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=10, quotas=[3, 3, 3], mode="nomination"))
    login_as(client, "organiser")
    why = _add(client, session_id, label="推荐理由", kind="text", visibility="coordinator", required="1")
    single = _add(client, session_id, label="需要单间吗？", kind="yesno", key="single_room", required="1")
    room = _add(client, session_id, label="房间号", kind="text", visibility="staff")
    on_file = run_sync(
        kit.teacher(
            counties[0],
            school_name="剑阁县实验小学",
            subject="语文",
            grade_band="primary",
            gender="female",
            ethnicity="汉族",
            title="一级教师",
            years_teaching=10,
        )
    )
    with TestClient(app=client.app, base_url="http://testserver.local") as coordinator:
        login_as(coordinator, "coordinator", county_id=counties[0])
        form = coordinator.get(f"/nominations/{session_id}/new")
        assert form.status_code == 200 and "推荐理由" in form.text and "需要单间吗？" in form.text
        assert "房间号" not in form.text
        values = {k: v for k, v in registration(counties[0], 5).items() if k != "consent"}
        missing = _post(coordinator, f"/nominations/{session_id}", {**values, f"q_{single}": "no"})
        assert missing.status_code == 422 and f'id="e-q_{why}">此项为必填' in missing.text
        assert 'value="no" checked' in missing.text and values["name"] in missing.text
        assert run_sync(Enrollment.count()) == 0
        done = _post(
            coordinator,
            f"/nominations/{session_id}",
            {**values, f"q_{single}": "no", f"q_{why}": "县级骨干教师", f"q_{room}": "1"},
        )
        assert done.status_code == 302, done.text
        nominee = int(run_sync(Enrollment.select(Enrollment.id).first())["id"])
        assert {q: a.value for q, a in run_sync(answers.answers_of(session_id))[nominee].items()} == {
            single: False,
            why: "县级骨干教师",
        }
        # one click from the search asks nothing; her answers are given afterwards on the answers form
        picked = _post(coordinator, f"/nominations/{session_id}/teacher/{on_file}", {})
        assert picked.status_code == 302, picked.text
        page = coordinator.get(f"/nominations/{session_id}")
        second = max(int(r["id"]) for r in run_sync(Enrollment.select(Enrollment.id)))
        assert f"/admin/enrollment/enrollments/{second}/answers" in page.text
        saved = _post(
            coordinator,
            f"/admin/enrollment/enrollments/{second}/answers",
            {f"q_{single}": "yes", f"q_{why}": "x"},
        )
        assert saved.status_code == 302 and saved.headers["location"].startswith(f"/nominations/{session_id}")
    assert run_sync(answers.answers_by_key(session_id)) == {
        nominee: {"single_room": False},
        second: {"single_room": True},
    }


def test_a_teachers_answers_are_in_her_data_export_and_go_with_her_erasure(client: TestClient[Any]) -> None:
    from tests.kit import world as kit

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=10))
    login_as(client, "organiser")
    mate = _add(client, session_id, label="希望与谁同住", kind="text", key="roommate")
    teacher_id = run_sync(kit.teacher(counties[0]))
    enrollment_id = run_sync(kit.enrollment(session_id, teacher_id))
    run_sync(answers.save(enrollment_id, run_sync(questions.list_questions(session_id)), {mate: "李芳老师"}))
    data = client.get(f"/api/v1/teachers/{teacher_id}/personal-data").json()
    assert [(a["question"], a["answer"]) for a in data["answers"]] == [("希望与谁同住", "李芳老师")]
    erased = _post(client, f"/admin/teachers/{teacher_id}/erase", {"reason": "本人申请"})
    assert erased.status_code == 302
    assert run_sync(answers.answers_of(session_id)) == {}

"""Session questions and their answers through the services: versions on edit, archive on delete, every kind
validated, required per visibility, answers_by_key, copy with the session. Both engines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.kit import world as kit
from tests.kit.sync import run_sync
from training import db
from training.core.actor import Actor
from training.enrollment import answers
from training.errors import ValidationFailed
from training.programmes import copying, questions
from training.programmes.question_tables import Visibility
from training.programmes.questions import QuestionDraft

ORGANISER = Actor(None, "org", "组织者", "organiser")


async def _world() -> tuple[int, list[int]]:
    county = await kit.county()
    session_id = await kit.session(await kit.programme(), status="draft")
    await kit.quota(session_id, county)
    enrollments = [await kit.enrollment(session_id, await kit.teacher(county)) for _ in range(2)]
    return session_id, enrollments


def test_answers_by_key_gives_each_enrollment_its_keyed_answers(adb: Any) -> None:
    async def scenario() -> None:
        session_id, (first, second) = await _world()
        single = await questions.create_question(
            ORGANISER, session_id, QuestionDraft("需要单间吗？", kind="yesno", key="single_room")
        )
        mate = await questions.create_question(
            ORGANISER, session_id, QuestionDraft("希望与谁同住", kind="text", key="roommate")
        )
        unkeyed = await questions.create_question(ORGANISER, session_id, QuestionDraft("备注"))
        qs = await questions.list_questions(session_id)
        await answers.save(first, qs, {single: True, mate: "李老师", unkeyed: "x"})
        await answers.save(second, qs, {single: False})
        assert await answers.answers_by_key(session_id) == {
            first: {"single_room": True, "roommate": "李老师"},
            second: {"single_room": False},
        }
        # an archived question's answers stay readable on rosters but leave the keyed view
        assert await questions.delete_question(ORGANISER, mate) == "archived"
        assert await answers.answers_by_key(session_id) == {
            first: {"single_room": True},
            second: {"single_room": False},
        }

    run_sync(scenario())


def test_an_edit_after_answers_makes_a_new_version_and_the_old_answer_keeps_its_wording(adb: Any) -> None:
    async def scenario() -> None:
        session_id, (first, second) = await _world()
        qid = await questions.create_question(
            ORGANISER, session_id, QuestionDraft("饮食要求", kind="choice", choices=["无", "清真"])
        )
        # without answers an edit changes the question in place
        assert not await questions.update_question(
            ORGANISER, qid, QuestionDraft("饮食", kind="choice", choices=["无", "清真"])
        )
        assert (await questions.get_question(qid)).version == 1
        await answers.save(first, await questions.list_questions(session_id), {qid: "清真"})
        assert await questions.update_question(
            ORGANISER, qid, QuestionDraft("饮食禁忌", kind="choice", choices=["无", "清真", "素食"])
        )
        q = await questions.get_question(qid)
        assert (q.version, q.label) == (2, "饮食禁忌")
        await answers.save(second, [q], {qid: "素食"})
        got = await answers.answers_of(session_id)
        assert (got[first][qid].value, got[first][qid].label, got[first][qid].outdated(q)) == (
            "清真",
            "饮食",
            True,
        )
        assert (got[second][qid].label, got[second][qid].outdated(q)) == ("饮食禁忌", False)
        # saving the same value again keeps the wording it answered
        await answers.save(first, [q], {qid: "清真"})
        assert (await answers.answers_of(session_id, first))[first][qid].label == "饮食"
        # the kind of an answered question is locked
        with pytest.raises(ValidationFailed) as caught:
            await questions.update_question(ORGANISER, qid, QuestionDraft("饮食禁忌", kind="text"))
        assert caught.value.fields == {"kind": "question_kind_locked"}
        # deleting it archives it; its answers stay
        assert await questions.delete_question(ORGANISER, qid) == "archived"
        assert [x.id for x in await questions.list_questions(session_id)] == []
        assert [x.id for x in await questions.list_questions(session_id, archived=True)] == [qid]
        assert (await answers.answers_of(session_id, first))[first][qid].value == "清真"
        # one never answered is deleted outright
        other = await questions.create_question(ORGANISER, session_id, QuestionDraft("其他"))
        assert await questions.delete_question(ORGANISER, other) == "deleted"

    run_sync(scenario())


def test_every_kind_is_validated_and_required_is_enforced_per_visibility(adb: Any) -> None:
    async def scenario() -> None:
        session_id, _ = await _world()
        make = questions.create_question
        ids = {
            "number": await make(ORGANISER, session_id, QuestionDraft("人数", kind="number", required=True)),
            "date": await make(ORGANISER, session_id, QuestionDraft("日期", kind="date")),
            "datetime": await make(ORGANISER, session_id, QuestionDraft("到达", kind="datetime")),
            "choice": await make(
                ORGANISER, session_id, QuestionDraft("餐", kind="choice", choices=["甲", "乙"])
            ),
            "choices": await make(
                ORGANISER, session_id, QuestionDraft("活动", kind="choices", choices=["甲", "乙", "丙"])
            ),
            "yesno": await make(ORGANISER, session_id, QuestionDraft("单间", kind="yesno")),
            "coord": await make(
                ORGANISER, session_id, QuestionDraft("推荐理由", visibility="coordinator", required=True)
            ),
            "staff": await make(
                ORGANISER, session_id, QuestionDraft("房号", visibility="staff", required=True)
            ),
        }
        qs = await questions.list_questions(session_id)
        f = {k: f"q_{v}" for k, v in ids.items()}
        bad = {
            f["number"]: "三",
            f["date"]: "2027-02-30",
            f["datetime"]: "明天下午",
            f["choice"]: "丁",
            f["yesno"]: "maybe",
            f["staff"]: "101",
        }
        parsed = answers.parse(qs, bad, answers.TEACHER_FORM)
        assert parsed.errors == {
            f["number"]: "question_number_invalid",
            f["date"]: "invalid_date",
            f["datetime"]: "question_datetime_invalid",
            f["choice"]: "invalid_choice",
            f["yesno"]: "invalid_choice",
        }
        assert ids["staff"] not in parsed.values  # a teacher's form ignores a staff-only field
        good = {
            f["number"]: "2.5",
            f["date"]: "2027-07-15",
            f["datetime"]: "2027-07-15 14:30",
            f["choice"]: "乙",
            f"{f['choices']}_c0": "甲",
            f"{f['choices']}_c2": "丙",
            f["yesno"]: "yes",
        }
        parsed = answers.parse(qs, good, answers.TEACHER_FORM)
        assert parsed.errors == {}
        assert parsed.values == {
            ids["number"]: 2.5,
            ids["date"]: "2027-07-15",
            ids["datetime"]: "2027-07-15T14:30",
            ids["choice"]: "乙",
            ids["choices"]: ["甲", "丙"],
            ids["yesno"]: True,
        }
        # required: the teacher's form asks only hers; a nomination also the coordinator's; staff fill the rest
        assert answers.parse(qs, {}, answers.TEACHER_FORM).errors == {f["number"]: "required"}
        assert answers.parse(qs, {}, answers.NOMINATION_FORM).errors == {
            f["number"]: "required",
            f["coord"]: "required",
        }
        roster = answers.parse(qs, {}, answers.STAFF_FORM, enforce_required=(Visibility.STAFF,))
        assert roster.errors == {f["staff"]: "required"}
        assert answers.parse(qs, {f["number"]: "7"}, answers.TEACHER_FORM).values[ids["number"]] == 7

    run_sync(scenario())


def test_questions_are_copied_with_the_session_and_the_database_refuses_an_unknown_kind(adb: Any) -> None:
    async def scenario() -> None:
        session_id, (first, _) = await _world()
        kept = await questions.create_question(
            ORGANISER, session_id, QuestionDraft("单间", kind="yesno", key="single_room", required=True)
        )
        gone = await questions.create_question(ORGANISER, session_id, QuestionDraft("旧问题"))
        await answers.save(first, await questions.list_questions(session_id), {gone: "a"})
        await questions.update_question(ORGANISER, gone, QuestionDraft("旧问题（改）"))
        await questions.delete_question(ORGANISER, gone)
        new_id = await copying.copy_session(ORGANISER, session_id, starts_on=date(2028, 7, 13))
        copied = await questions.list_questions(new_id, archived=True)
        assert [(q.label, q.kind, q.key, q.required, q.version) for q in copied] == [
            ("单间", "yesno", "single_room", True, 1)
        ]
        assert copied[0].id != kept
        with pytest.raises(Exception, match="session_question_kind_check"):
            await db.execute(
                'INSERT INTO "session_question" ("session", "key", "kind", "visibility", "label", "help_text", '
                '"choices", "required", "position", "version", "archived", "created_at", "updated_at") '
                "VALUES ({}, '', 'essay', 'teacher', 'x', '', '[]', {}, 1, 1, {}, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)",
                new_id,
                False,
                False,
            )

    run_sync(scenario())


async def test_the_demo_asks_questions_on_next_years_session_and_cohort(adb: Any) -> None:
    from training.demo import load_demo
    from training.programmes.tables import TrainingSession

    await load_demo(seed=2019)
    rows = await db.fetch(
        'SELECT s."title", q."key", q."visibility" FROM "session_question" q '
        'JOIN "training_session" s ON s."id" = q."session" ORDER BY q."position"'
    )
    by_title: dict[str, set[str]] = {}
    for r in rows:
        by_title.setdefault(r["title"], set()).add(r["key"] or r["visibility"])
    cohort = next(t for t in by_title if "彩虹行动" in t)
    assert {"single_room", "roommate", "coordinator"} <= by_title[cohort]
    assert {"diet", "arrival_time", "accommodation"} <= by_title["第10期暑期教师培训班"]
    assert await TrainingSession.count() > 10

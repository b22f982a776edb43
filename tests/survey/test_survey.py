"""The evaluation survey through the real app: building, copying last year's, publishing (announced through the
outbox), answering once through the signed link, anonymity in the table, results, the XLSX export (audited),
certificate gating and role scoping."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from typing import Any

import openpyxl
from litestar.testing import TestClient

from tests.certificates.factory import World, attend, make_teacher, make_world
from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training import db, keys
from training.audit.tables import AuditEntry
from training.certificates import batch
from training.certificates.jobs import download_url
from training.config import Settings
from training.core.links import make_link_token
from training.mail.tables import OutboxMessage
from training.programmes.tables import Block
from training.survey import service
from training.survey.tables import SurveyResponded, SurveyResponse


def _post(client: TestClient[Any], path: str, data: dict[str, Any], **kw: Any) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False, **kw)


def _link(enrollment_id: int) -> str:
    return f"/me/{make_link_token(keys.current().teacher_link, enrollment_id)}/survey"


def build_survey(
    client: TestClient[Any], session_id: int, *, anonymous: bool = True, for_certificate: bool = False
) -> tuple[int, list[int]]:
    """Through the organiser's pages: settings and four questions (rating, single, multiple, optional text)."""
    settings = {"title": "满意度测评", "intro": "请如实填写。"}
    if anonymous:
        settings["anonymous"] = "1"
    if for_certificate:
        settings["required_for_certificate"] = "1"
    assert _post(client, f"/admin/sessions/{session_id}/survey", settings).status_code in (302, 303)
    survey = run_sync(service.survey_of_session(session_id))
    assert survey is not None
    for prompt, kind, required, options in (
        ("总体满意度", "rating", "1", ""),
        ("最有收获的环节", "single", "1", "专家讲座\n示范课\n分组研讨"),
        ("希望增加的内容", "multiple", "", "班级管理\n信息技术\n心理健康"),
        ("意见和建议", "text", "", ""),
    ):
        data = {"prompt": prompt, "kind": kind, "options": options}
        if required:
            data["required"] = required
        assert _post(client, f"/admin/surveys/{survey.id}/questions", data).status_code in (302, 303)
    questions = run_sync(service.questions(survey.id))
    return survey.id, [q.id for q in questions]


def publish(client: TestClient[Any], survey_id: int) -> Any:
    first = _post(client, f"/admin/surveys/{survey_id}/publish", {})
    assert first.status_code == 200 and "confirm" in first.text  # the confirmation step
    return _post(client, f"/admin/surveys/{survey_id}/publish", {"confirm": "1"})


def answers(q: list[int], rating: str = "5", text: str = "讲座很好") -> dict[str, Any]:
    return {f"q{q[0]}": rating, f"q{q[1]}": "1", f"q{q[2]}": ["0", "2"], f"q{q[3]}": text}


def _world_with_teachers(n: int = 3) -> tuple[World, list[int]]:
    world = run_sync(make_world())
    enrollments = []
    for i in range(n):
        _, e = run_sync(make_teacher(world, ["王芳", "张三梅", "欧阳小明"][i % 3], email=f"t{i}@example.cn"))
        enrollments.append(e)
    return world, enrollments


def test_published_survey_is_announced_through_the_outbox_once(client: TestClient[Any]) -> None:
    world, enrollments = _world_with_teachers(3)
    cancelled_teacher = run_sync(kit.teacher(world.county_id, name="李四", email="gone@example.cn"))
    run_sync(kit.enrollment(world.session_id, cancelled_teacher, status="cancelled"))
    login_as(client, "organiser")
    survey_id, _ = build_survey(client, world.session_id)
    done = publish(client, survey_id)
    assert done.status_code in (302, 303) and "told=3" in done.headers["location"]
    rows = run_sync(
        OutboxMessage.select().where(OutboxMessage.dedupe_key.like(f"survey:{survey_id}:%")).run()
    )
    assert sorted(r["enrollment_id"] for r in rows) == sorted(enrollments)  # confirmed only, each once
    assert all(r["kind"] == "broadcast" and r["channel"] == "email" for r in rows)
    assert all("/survey" in r["body_text"] and "匿名" in r["body_text"] for r in rows)
    # the link in the mail opens her survey
    link = re.search(r"https?://\S+/me/\S+/survey", rows[0]["body_text"])
    assert link is not None
    assert client.get("/" + link.group(0).split("://", 1)[1].split("/", 1)[1]).status_code == 200
    # announcing again (the background task) adds nothing
    assert run_sync(service.announce_due("http://testserver")) == 0
    assert run_sync(OutboxMessage.count().where(OutboxMessage.dedupe_key.like("survey:%")).run()) == 3


def test_the_survey_opens_only_after_the_last_block(client: TestClient[Any]) -> None:
    world, (enrollment, *_rest) = _world_with_teachers(1)
    tomorrow = date.today() + timedelta(days=1)
    run_sync(Block.update({Block.day: tomorrow}).where(Block.session == world.session_id).run())
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id)
    assert "told=0" in publish(client, survey_id).headers["location"]  # not open yet: nobody told
    page = client.get(_link(enrollment))
    assert page.status_code == 200 and 'id="not-open"' in page.text and 'id="survey-form"' not in page.text
    refused = _post(client, _link(enrollment), answers(q))
    assert refused.status_code == 409
    assert run_sync(SurveyResponse.count().run()) == 0
    assert run_sync(service.announce_due("http://testserver")) == 0
    assert run_sync(OutboxMessage.count().where(OutboxMessage.dedupe_key.like("survey:%")).run()) == 0
    # the last block has ended: open, and the background task announces it
    run_sync(Block.update({Block.day: date(2019, 7, 15)}).where(Block.session == world.session_id).run())
    assert 'id="survey-form"' in client.get(_link(enrollment)).text
    assert run_sync(service.announce_due("http://testserver")) == 1


def test_a_chosen_block_opens_it_earlier(client: TestClient[Any]) -> None:
    world, (enrollment, *_rest) = _world_with_teachers(1)
    tomorrow = date.today() + timedelta(days=1)
    first_block = world.blocks[0]
    run_sync(Block.update({Block.day: tomorrow}).where(Block.id != first_block).run())
    login_as(client, "organiser")
    survey_id, _ = build_survey(client, world.session_id)
    _post(
        client,
        f"/admin/sessions/{world.session_id}/survey",
        {"title": "测评", "opens_after_block": first_block},
    )
    publish(client, survey_id)
    assert 'id="survey-form"' in client.get(_link(enrollment)).text


def test_answered_twice_through_the_same_link_counts_once(client: TestClient[Any]) -> None:
    world, (enrollment, other, _) = _world_with_teachers(3)
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id, anonymous=False)
    publish(client, survey_id)
    me = client.get(_link(enrollment).removesuffix("/survey")).text  # her /me page leads to the survey
    assert 'id="me-survey"' in me and "填写测评" in me
    first = _post(client, _link(enrollment), answers(q, "5"))
    assert first.status_code in (302, 303)
    thanks = client.get(first.headers["location"])
    assert 'id="thanks"' in thanks.text and 'id="survey-form"' not in thanks.text
    second = _post(client, _link(enrollment), answers(q, "1", "第二次"))
    assert second.status_code == 409 and "已经" in second.text
    assert run_sync(SurveyResponse.count().where(SurveyResponse.survey == survey_id).run()) == 1
    assert run_sync(SurveyResponded.count().run()) == 1
    assert "谢谢" in client.get(_link(enrollment).removesuffix("/survey")).text.split('id="me-survey"', 1)[1]
    stored = run_sync(SurveyResponse.select().run())[0]
    assert json.loads(stored["answers"])[str(q[0])] == 5  # the first answer stands
    # named: the response names the enrollment; another teacher's link is her own
    assert stored["enrollment"] == enrollment and stored["submitted_at"] is not None
    assert _post(client, _link(other), answers(q, "3")).status_code in (302, 303)
    results = run_sync(service.results(survey_id))
    assert results.responses == 2 and results.invited == 3 and results.rate == 66.7


def test_anonymous_answers_hold_no_enrollment_id(client: TestClient[Any]) -> None:
    world, enrollments = _world_with_teachers(3)
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id, anonymous=True)
    publish(client, survey_id)
    for i, e in enumerate(enrollments):
        assert _post(client, _link(e), answers(q, str(3 + i), f"建议{i}")).status_code in (302, 303)

    async def table() -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
        if db.is_sqlite(db.current_engine()):
            columns = [r["name"] for r in await db.fetch('PRAGMA table_info("survey_response")')]
        else:
            columns = [
                r["column_name"]
                for r in await db.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'survey_response'"
                )
            ]
        rows = await db.fetch('SELECT * FROM "survey_response"')
        markers = await db.fetch('SELECT * FROM "survey_responded" ORDER BY "id"')
        return columns, rows, markers

    columns, rows, markers = run_sync(table())
    assert set(columns) == {"id", "survey", "enrollment", "county", "answers", "submitted_at"}
    assert len(rows) == 3
    for row in rows:
        assert row["enrollment"] is None and row["submitted_at"] is None  # no enrollment, no time
        assert row["county"] == world.county_id
        stored = json.loads(row["answers"])
        assert not any(str(e) in json.dumps(stored) for e in enrollments if e > 9)  # nothing names her
    # the markers name the enrollments and nothing else: no answers, no time, no response id
    assert sorted(m["enrollment"] for m in markers) == sorted(enrollments)
    assert all(set(m) == {"id", "survey", "enrollment"} for m in markers)
    # the ids are random, not the next number: the responses' order says nothing about the markers' order
    ids = [r["id"] for r in rows]
    assert ids != list(range(min(ids), min(ids) + 3))
    # and the export of an anonymous survey names nobody
    content = client.get(f"/admin/surveys/{survey_id}/results.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content))["答卷"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "县区" and len(values) == 4
    assert not any(name in str(values) for name in ("王芳", "张三梅", "欧阳小明"))


def test_required_questions_show_the_error_next_to_the_field_and_keep_what_was_typed(
    client: TestClient[Any],
) -> None:
    world, (enrollment, *_rest) = _world_with_teachers(1)
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id)
    publish(client, survey_id)
    missing = _post(client, _link(enrollment), {f"q{q[2]}": ["1", "2"], f"q{q[3]}": "希望多一些示范课"})
    assert missing.status_code == 422
    page = missing.text
    # the error sits inside the question's own fieldset, right under its legend
    for field in (f"q{q[0]}", f"q{q[1]}"):
        block = page.split(f'id="{field}"', 1)[1].split("</fieldset>", 1)[0]
        assert f'id="e-{field}"' in block and "请回答此题" in block
    assert f'id="e-q{q[2]}"' not in page  # optional, answered
    assert "希望多一些示范课</textarea>" in page  # typed text kept
    multiple = page.split(f'id="q{q[2]}"', 1)[1].split("</fieldset>", 1)[0]
    assert multiple.count("checked") == 2  # both ticks kept
    assert run_sync(SurveyResponse.count().run()) == 0
    # out-of-range answers are refused too
    bad = _post(client, _link(enrollment), {**answers(q), f"q{q[0]}": "9"})
    assert bad.status_code == 422 and f'id="e-q{q[0]}"' in bad.text


def test_copy_last_years_survey(client: TestClient[Any]) -> None:
    world, _ = _world_with_teachers(1)
    earlier = run_sync(
        kit.session(
            world.programme_id,
            number=8,
            year=2018,
            title="第8期暑期教师培训班",
            starts_on=date(2018, 7, 15),
            ends_on=date(2018, 7, 18),
            status="closed",
        )
    )
    login_as(client, "organiser")
    old_id, old_questions = build_survey(client, earlier, anonymous=False, for_certificate=True)
    page = client.get(f"/admin/sessions/{world.session_id}/survey")
    assert page.status_code == 200 and 'id="copy"' in page.text and "第8期暑期教师培训班" in page.text
    copied = _post(client, f"/admin/sessions/{world.session_id}/survey/copy", {"source": str(old_id)})
    assert copied.status_code in (302, 303)
    new = run_sync(service.survey_of_session(world.session_id))
    assert new is not None and new.id != old_id
    assert not new.anonymous and new.required_for_certificate and new.status == "draft"
    before = run_sync(service.questions(old_id))
    after = run_sync(service.questions(new.id))
    assert [(a.kind, a.prompt, a.required, a.options) for a in after] == [
        (b.kind, b.prompt, b.required, b.options) for b in before
    ]
    assert {a.id for a in after}.isdisjoint(old_questions)
    # a later session's survey is not offered to an earlier one, and copying into a survey with questions is refused
    assert 'id="copy"' not in client.get(f"/admin/sessions/{earlier}/survey").text
    again = _post(client, f"/admin/sessions/{world.session_id}/survey/copy", {"source": str(old_id)})
    assert again.status_code == 422


def test_results_page_and_xlsx_export_hold_the_answers_and_each_export_is_audited(
    client: TestClient[Any],
) -> None:
    world, enrollments = _world_with_teachers(3)
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id, anonymous=False)
    publish(client, survey_id)
    for i, e in enumerate(enrollments):
        _post(client, _link(e), answers(q, str(3 + i), f"建议{i}：=SUM(A1)"))
    page = client.get(f"/admin/surveys/{survey_id}/results")
    assert page.status_code == 200
    assert "<svg" in page.text and "建议1" in page.text and 'id="rate">100.0%' in page.text
    assert 'id="by-county"' in page.text and "4.0" in page.text  # the county's mean of 3, 4, 5
    assert run_sync(AuditEntry.count().where(AuditEntry.action == "download_survey_results").run()) == 0
    response = client.get(f"/admin/surveys/{survey_id}/results.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book["答卷"].iter_rows(values_only=True)]
    assert rows[0][:4] == ["姓名", "学校", "县区", "答卷时间"] and rows[0][4:] == [
        "总体满意度",
        "最有收获的环节",
        "希望增加的内容",
        "意见和建议",
    ]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["王芳"][4:] == ["3", "示范课", "班级管理；心理健康", "建议0：=SUM(A1)"]
    summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert ["总体满意度", "平均分", 4] in summary or ["总体满意度", "平均分", 4.0] in summary
    client.get(f"/admin/surveys/{survey_id}/results.xlsx")
    entries = run_sync(AuditEntry.select().where(AuditEntry.action == "download_survey_results").run())
    assert len(entries) == 2 and entries[0]["entity_id"] == str(world.session_id)
    api = client.get(f"/api/v1/surveys/{survey_id}/results").json()
    assert api["responses"] == 3 and api["questions"][0]["counts"] == [0, 0, 1, 1, 1]


def test_certificate_waits_for_the_response_when_the_survey_says_so(
    client: TestClient[Any], settings: Settings
) -> None:
    world, (enrollment, other, _) = _world_with_teachers(3)
    for e in (enrollment, other):
        run_sync(attend(world, e, 8))
    run_sync(batch.issue_session(world.session_id, settings, workers=1))
    from training.certificates.tables import Certificate

    serials = {
        r["enrollment"]: r["serial"]
        for r in run_sync(Certificate.select(Certificate.enrollment, Certificate.serial).run())
    }
    url = download_url(settings, serials[enrollment], enrollment).split("://", 1)[1]
    path = "/" + url.split("/", 1)[1]
    other_path = "/" + download_url(settings, serials[other], other).split("://", 1)[1].split("/", 1)[1]
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id, for_certificate=False)
    publish(client, survey_id)
    assert client.get(path, follow_redirects=False).status_code == 200  # not required: downloads at once
    _post(
        client,
        f"/admin/sessions/{world.session_id}/survey",
        {"title": "测评", "anonymous": "1", "required_for_certificate": "1"},
    )
    waiting = client.get(path, follow_redirects=False)
    assert waiting.status_code in (302, 303) and "/survey?notice=certificate" in waiting.headers["location"]
    first = client.get(waiting.headers["location"])
    assert 'id="certificate-first"' in first.text and 'id="survey-form"' in first.text
    _post(client, _link(enrollment), answers(q))
    done = client.get(path, follow_redirects=False)
    assert done.status_code == 200 and done.headers["content-type"] == "application/pdf"
    assert client.get(other_path, follow_redirects=False).status_code in (302, 303)  # she has not answered


def test_only_organisers_build_read_and_export(client: TestClient[Any]) -> None:
    world, (enrollment, *_rest) = _world_with_teachers(1)
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id)
    publish(client, survey_id)
    client.cookies.clear()
    gets = [
        "/admin/surveys",
        f"/admin/sessions/{world.session_id}/survey",
        f"/admin/surveys/{survey_id}/results",
        f"/admin/surveys/{survey_id}/results.xlsx",
        f"/api/v1/surveys/{survey_id}/results",
    ]
    posts = [
        f"/admin/sessions/{world.session_id}/survey",
        f"/admin/sessions/{world.session_id}/survey/copy",
        f"/admin/surveys/{survey_id}/questions",
        f"/admin/surveys/{survey_id}/questions/{q[0]}/delete",
        f"/admin/surveys/{survey_id}/questions/{q[0]}/move",
        f"/admin/surveys/{survey_id}/publish",
        f"/admin/surveys/{survey_id}/close",
    ]
    for path in gets:
        assert client.get(path, follow_redirects=False).status_code in (302, 303, 401), path
    for role in ("coordinator", "staff"):
        client.cookies.clear()
        login_as(client, role, world.county_id if role == "coordinator" else None)
        for path in gets:
            assert client.get(path).status_code == 403, (role, path)
        for path in posts:
            assert _post(client, path, {"title": "x", "confirm": "1"}).status_code == 403, (role, path)
    assert run_sync(AuditEntry.count().where(AuditEntry.action == "download_survey_results").run()) == 0
    # the teacher: only through her signed link; a forged or altered one opens nothing
    token = make_link_token(keys.current().teacher_link, enrollment)
    assert client.get(f"/me/{token[:-2]}xx/survey").status_code == 404
    assert client.get(f"/me/{token}/survey").status_code == 200


def test_the_certificate_email_carries_the_link_not_the_pdf_while_the_survey_waits(
    client: TestClient[Any], settings: Settings
) -> None:
    world, (enrollment, other, _) = _world_with_teachers(3)
    for e in (enrollment, other):
        run_sync(attend(world, e, 8))
    login_as(client, "organiser")
    survey_id, q = build_survey(client, world.session_id, for_certificate=True)
    publish(client, survey_id)
    _post(client, _link(other), answers(q))  # she answered before the certificates were issued
    run_sync(batch.issue_session(world.session_id, settings, workers=1))
    mails = {
        r["enrollment_id"]: r
        for r in run_sync(OutboxMessage.select().where(OutboxMessage.kind == "certificate").run())
    }

    def attached(row: dict[str, Any]) -> list[Any]:
        value = row["attachments"]
        return json.loads(value) if isinstance(value, str) else list(value)

    assert attached(mails[enrollment]) == [] and "请在此下载" in mails[enrollment]["body_text"]
    assert len(attached(mails[other])) == 1 and "见附件" in mails[other]["body_text"]

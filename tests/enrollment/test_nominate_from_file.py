"""Nominating from the county's teachers on file: the search (county-scoped, paginated, masked), one-click
nomination that tells the nominee through the outbox, the flags (an earlier exchange, twice in one year), her
confirm / decline from the signed link (idempotent; a decline frees the county's seat), role scoping, the
deadline and the quota."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.enrollment.factory import fetch
from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training import keys
from training.audit.tables import AuditEntry
from training.core.links import make_link_token
from training.enrollment.nominees import classify
from training.enrollment.tables import Enrollment
from training.mail.tables import OutboxMessage
from training.people import service as people
from training.people.tables import Teacher, TeacherChangeRequest
from training.programmes.tables import CountyQuota


@dataclass
class World:
    jiange: int
    wusheng: int
    cohort: int  # 2027 Nantong, nomination, quota 2 per county
    other_2027: int  # 2027 Changzhou
    wang: int  # Jiange, nominated to the other 2027 cohort: "twice in one year"
    li: int  # Jiange, went to the 2025 cohort: "earlier exchange"
    zhao: int  # Wusheng
    plain: list[int]  # more Jiange teachers, no flags


PROFILE: dict[str, Any] = {
    "gender": "female",
    "ethnicity": "汉族",
    "grade_band": "primary",
    "title": "一级教师",
    "years_teaching": 12,
    "birth_date": date(1985, 3, 7),  # as her ID number says (kit.id_number)
}


async def _world(deadline: datetime | None = None, quota: int = 2) -> World:
    jiange = await kit.county("510823", "剑阁县", prefecture="广元市")
    wusheng = await kit.county("511622", "武胜县", prefecture="广安市")
    exchange = await kit.programme("exchange", "彩虹行动", "exchange")
    now = datetime.now(UTC)

    async def cohort(year: int, title: str, **columns: Any) -> int:
        values: dict[str, Any] = {
            "number": None,
            "year": year,
            "title": title,
            "starts_on": date(year, 10, 15),
            "ends_on": date(year, 10, 19),
            "capacity": 24,
            "mode": "nomination",
            "host_city": "南通市",
            "nomination_deadline": deadline or now + timedelta(days=30),
            **columns,
        }
        session_id = await kit.session(exchange, **values)
        for county_id in (jiange, wusheng):
            await kit.quota(session_id, county_id, quota)
        return session_id

    past = await cohort(2025, "2025 彩虹行动 常州班", status="closed")
    current = await cohort(2027, "2027 彩虹行动 南通班")
    other = await cohort(2027, "2027 彩虹行动 常州班")
    wang = await kit.teacher(jiange, name="王芳", school_name="剑阁县实验小学", subject="语文", **PROFILE)
    li = await kit.teacher(jiange, name="李明", school_name="剑阁县第一中学", subject="数学", **PROFILE)
    zhao = await kit.teacher(wusheng, name="赵武", school_name="武胜县实验小学", subject="语文", **PROFILE)
    plain = [
        await kit.teacher(
            jiange, name=f"孙老师{n:02d}", school_name="剑阁县白龙中学", subject="英语", **PROFILE
        )
        for n in range(25)
    ]
    await kit.enrollment(past, li, status="confirmed")
    await kit.enrollment(other, wang, status="nominated")
    return World(jiange, wusheng, current, other, wang, li, zhao, plain)


def world(**kwargs: Any) -> World:
    return run_sync(_world(**kwargs))


def _pick(client: TestClient[Any], session_id: int, teacher_id: int, q: str = "") -> Any:
    return client.post(
        f"/nominations/{session_id}/teacher/{teacher_id}",
        data={"q": q, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def _teacher(teacher_id: int) -> dict[str, Any]:
    row = fetch(Teacher.select().where(Teacher.id == teacher_id).first())
    assert row is not None
    return dict(row)


def _link(enrollment_id: int) -> str:
    return make_link_token(keys.current().teacher_link, enrollment_id)


def _answer(client: TestClient[Any], enrollment_id: int, what: str, confirm: bool = True) -> Any:
    data = {"_csrf_token": csrf_token(client)}
    if confirm:
        data["confirm"] = "1"
    return client.post(f"/me/{_link(enrollment_id)}/nomination/{what}", data=data, follow_redirects=False)


def _candidates(html: str) -> list[str]:
    return re.findall(r'<strong class="name">([^<]+)</strong>', html)


def test_the_search_is_scoped_to_the_county_masked_and_paginated(client: TestClient[Any]) -> None:
    w = world()
    login_as(client, "coordinator", county_id=w.jiange)
    found = client.get(f"/nominations/{w.cohort}?q=语文")
    assert found.status_code == 200
    assert _candidates(found.text) == ["王芳"]  # 赵武 teaches 语文 too, in Wusheng
    wang = _teacher(w.wang)
    assert wang["id_masked"] in found.text and wang["phone_masked"] in found.text
    # her full ID number and phone are never on the page
    assert people.reveal_id_number(wang) not in found.text and people.reveal_phone(wang) not in found.text
    # by school, by a name typed with a space
    assert _candidates(client.get(f"/nominations/{w.cohort}?q=第一中学").text) == ["李明"]
    assert _candidates(client.get(f"/nominations/{w.cohort}?q=李 明").text) == ["李明"]
    # by her whole mobile number (matched by its keyed hash)
    li = _teacher(w.li)
    by_phone = client.get(f"/nominations/{w.cohort}", params={"q": people.reveal_phone(li)})
    assert _candidates(by_phone.text) == ["李明"]
    # another county's teacher is not found, whatever is typed: the form is offered, prefilled
    missing = client.get(f"/nominations/{w.cohort}?q=赵武")
    assert _candidates(missing.text) == [] and 'id="not-found"' in missing.text
    assert f"/nominations/{w.cohort}/new?q=" in missing.text
    form = client.get(f"/nominations/{w.cohort}/new?q=赵武")
    assert form.status_code == 200 and 'value="赵武"' in form.text
    # all 27 Jiange teachers, 20 a page, by name
    first = client.get(f"/nominations/{w.cohort}")
    assert len(_candidates(first.text)) == 20 and "找到 27 位教师" in first.text
    second = client.get(f"/nominations/{w.cohort}?page=2")
    assert len(_candidates(second.text)) == 7
    assert set(_candidates(first.text)).isdisjoint(_candidates(second.text))
    # an organiser searches every county of the cohort, or one
    login_as(client, "organiser")
    assert _candidates(client.get(f"/nominations/{w.cohort}?q=语文").text) == ["王芳", "赵武"]
    assert _candidates(client.get(f"/nominations/{w.cohort}?q=语文&county={w.wusheng}").text) == ["赵武"]


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [("张三", "name", "张三"), ("剑阁县白龙中学", "school", "剑阁县白龙中学")],
)
def test_the_new_teacher_form_starts_from_what_was_searched(
    client: TestClient[Any], query: str, field: str, value: str
) -> None:
    w = world()
    login_as(client, "coordinator", county_id=w.jiange)
    page = client.get(f"/nominations/{w.cohort}/new", params={"q": query})
    assert page.status_code == 200
    assert re.search(rf'name="{field}"[^>]*value="{value}"', page.text), page.text


def test_one_click_nominates_tells_her_and_is_audited(
    client: TestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    w = world()
    login_as(client, "coordinator", county_id=w.jiange)
    response = _pick(client, w.cohort, w.li, q="李明")
    assert response.status_code == 302, response.text
    assert "done=nominated" in response.headers["location"]
    [row] = fetch(Enrollment.select().where(Enrollment.session == w.cohort))
    assert (row["teacher"], row["status"], row["county"]) == (w.li, "nominated", w.jiange)
    assert row["nominee_answer"] == ""
    assert fetch(TeacherChangeRequest.count()) == 0  # her record is used as it is
    # she is told, through the outbox, on the channels that work for her (e-mail here: no SMS provider)
    [message] = fetch(OutboxMessage.select().where(OutboxMessage.kind == "nominated"))
    li = _teacher(w.li)
    assert li["email"] in message["to_addr"] and message["enrollment_id"] == row["id"]
    assert "2027 彩虹行动 南通班" in message["subject"] and "/me/" in message["body_text"]
    assert "剑阁县推荐您参加" in message["body_text"]
    # the page says what happened
    page = client.get(response.headers["location"])
    assert "已推荐李明" in page.text and "已通过邮件通知她" in page.text
    assert "剑阁县：已推荐 1 / 2 人" in page.text
    # the audit entry names the teacher picked, nothing personal
    [entry] = fetch(AuditEntry.select().where(AuditEntry.action == "nominate").output(load_json=True))
    assert entry["entity_id"] == str(row["id"])
    assert entry["changes"]["teacher"] == w.li and entry["changes"]["told"] == ["email"]
    # nominating her again changes nothing
    again = _pick(client, w.cohort, w.li)
    assert "done=existing" in again.headers["location"]
    assert fetch(Enrollment.count().where(Enrollment.session == w.cohort)) == 1
    assert fetch(OutboxMessage.count().where(OutboxMessage.kind == "nominated")) == 1
    # nothing personal in the logs
    logged = caplog.text
    assert people.reveal_id_number(li) not in logged and people.reveal_phone(li) not in logged


def test_flags_warn_the_coordinator_and_the_organiser_without_blocking(client: TestClient[Any]) -> None:
    w = world()
    login_as(client, "coordinator", county_id=w.jiange)

    def card(query: str, teacher_id: int) -> str:
        page = client.get(f"/nominations/{w.cohort}", params={"q": query}).text
        return page.split(f'data-teacher="{teacher_id}"')[1].split("</li>")[0]

    li, wang, plain = card("李明", w.li), card("王芳", w.wang), card("孙老师00", w.plain[0])
    assert "2025年已参加过交流" in li and "flag-same-year" not in li
    assert "同年另有推荐：2027 彩虹行动 常州班" in wang and "flag-earlier" not in wang
    assert "flag-" not in plain
    # the confirmation text of the button says so too
    assert "注意：她已于2025年参加过交流。" in li
    # flagged teachers are nominated all the same
    assert _pick(client, w.cohort, w.li).status_code == 302
    assert _pick(client, w.cohort, w.wang).status_code == 302
    mine = client.get(f"/nominations/{w.cohort}").text.split("nominee-table")[1]
    assert "2025年已参加过交流" in mine and "同年另有推荐" in mine and "待本人确认" in mine
    # the organiser's selection shows them
    login_as(client, "organiser")
    roster = client.get(f"/admin/enrollment/sessions/{w.cohort}").text
    assert "2025年已参加过交流" in roster and "同年另有推荐：2027 彩虹行动 常州班" in roster
    assert 'id="nominee-marks"' in roster and roster.count("待本人确认") == 2
    # selecting them says so again before anything changes
    ids = [r["id"] for r in fetch(Enrollment.select(Enrollment.id).where(Enrollment.session == w.cohort))]
    asked = client.post(
        f"/admin/enrollment/sessions/{w.cohort}/decide",
        data={"ids": [str(i) for i in ids], "action": "approve", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert asked.status_code == 200
    assert "勾选的被推荐教师中有 1 位往年已参加过交流：李明。" in asked.text
    assert "勾选的被推荐教师中有 1 位同年另有推荐：王芳。" in asked.text
    assert "勾选的被推荐教师中有 2 位本人尚未确认参加" in asked.text


def test_flag_rules() -> None:
    """Earlier: confirmed or attended in an earlier year's exchange; same year: still in the running elsewhere."""

    def row(session: int, year: int, status: str, attended: bool = False) -> dict[str, Any]:
        return {
            "teacher": 1,
            "session": session,
            "year": year,
            "title": f"c{session}",
            "status": status,
            "attended": attended,
        }

    assert classify([row(1, 2025, "confirmed")], 9, 2027)[1].earlier[0].year == 2025
    assert classify([row(1, 2025, "cancelled", attended=True)], 9, 2027)[1].earlier
    assert classify([row(1, 2025, "waitlisted"), row(2, 2026, "rejected")], 9, 2027) == {}
    assert classify([row(3, 2027, "nominated")], 9, 2027)[1].same_year[0].session_id == 3
    assert classify([row(3, 2027, "cancelled")], 9, 2027) == {}  # declined or withdrawn
    assert classify([row(9, 2027, "nominated")], 9, 2027) == {}  # this cohort itself


def test_confirm_and_decline_from_her_link_are_idempotent_and_a_decline_frees_the_seat(
    client: TestClient[Any],
) -> None:
    w = world()
    login_as(client, "coordinator", county_id=w.jiange)
    assert _pick(client, w.cohort, w.plain[0]).status_code == 302
    assert _pick(client, w.cohort, w.plain[1]).status_code == 302
    full = _pick(client, w.cohort, w.plain[2])
    assert full.status_code == 409 and "名额已用完" in full.text
    first, second = (
        r["id"]
        for r in fetch(
            Enrollment.select(Enrollment.id).where(Enrollment.session == w.cohort).order_by(Enrollment.id)
        )
    )

    # her page asks; she confirms (twice: nothing more happens)
    page = client.get(f"/me/{_link(first)}")
    assert 'id="accept-nomination"' in page.text and 'id="decline-nomination"' in page.text
    for _ in range(2):
        done = _answer(client, first, "accept")
        assert done.status_code in (302, 303)
    assert (
        fetch(Enrollment.select(Enrollment.nominee_answer).where(Enrollment.id == first).first())[
            "nominee_answer"
        ]
        == "accepted"
    )
    assert "您已确认参加" in client.get(f"/me/{_link(first)}").text

    # the other declines: asked first, then cancelled and the county's seat freed
    asked = _answer(client, second, "decline", confirm=False)
    assert asked.status_code == 200 and "本县名额将释放" in asked.text
    assert (
        fetch(Enrollment.select(Enrollment.status).where(Enrollment.id == second).first())["status"]
        == "nominated"
    )
    for _ in range(2):
        assert _answer(client, second, "decline").status_code in (302, 303)
    row = fetch(Enrollment.select().where(Enrollment.id == second).first())
    assert (row["status"], row["nominee_answer"], row["holds_seat"]) == ("cancelled", "declined", False)
    quota = fetch(
        CountyQuota.select(CountyQuota.seats_taken)
        .where((CountyQuota.session == w.cohort) & (CountyQuota.county == w.jiange))
        .first()
    )
    assert quota["seats_taken"] == 1
    # she cannot confirm after declining
    assert _answer(client, second, "accept").status_code == 409
    # one audit entry per answer, whatever was sent twice
    actions = [e["action"] for e in fetch(AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions.count("nominee_confirm") == 1 and actions.count("nominee_decline") == 1
    # one acknowledgement of the decline, no "registration cancelled" notice
    kinds = sorted(r["kind"] for r in fetch(OutboxMessage.select(OutboxMessage.kind)))
    assert kinds == ["cancelled", "nominated", "nominated"]

    # the coordinator sees the decline and nominates someone else in the freed seat
    mine = client.get(f"/nominations/{w.cohort}").text.split("nominee-table")[1]
    assert "本人已婉拒" in mine and "本人已确认参加" in mine
    assert _pick(client, w.cohort, w.plain[2]).status_code == 302
    # the organiser's selection shows both answers
    login_as(client, "organiser")
    roster = client.get(f"/admin/enrollment/sessions/{w.cohort}").text
    assert "本人已确认参加" in roster and "本人已婉拒" in roster


def test_a_coordinator_cannot_nominate_another_countys_teacher_by_posting_her_id(
    client: TestClient[Any],
) -> None:
    w = world()
    login_as(client, "coordinator", county_id=w.jiange)
    refused = _pick(client, w.cohort, w.zhao)
    assert refused.status_code == 403
    assert fetch(Enrollment.count().where(Enrollment.session == w.cohort)) == 0
    assert fetch(OutboxMessage.count()) == 0
    # staff may do nothing here
    login_as(client, "staff")
    assert client.get(f"/nominations/{w.cohort}").status_code == 403
    assert _pick(client, w.cohort, w.wang).status_code == 403
    assert client.get(f"/nominations/{w.cohort}/new").status_code == 403
    # an organiser nominates for any county
    login_as(client, "organiser")
    assert _pick(client, w.cohort, w.zhao).status_code == 302
    assert (
        fetch(Enrollment.select(Enrollment.county).where(Enrollment.session == w.cohort).first())["county"]
        == w.wusheng
    )


def test_the_deadline_binds_the_one_click_nomination(client: TestClient[Any]) -> None:
    w = world(deadline=datetime.now(UTC) - timedelta(minutes=1))
    login_as(client, "coordinator", county_id=w.jiange)
    page = client.get(f"/nominations/{w.cohort}?q=李明")
    assert "推荐已截止" in page.text and "nominate-button" not in page.text
    refused = _pick(client, w.cohort, w.li)
    assert refused.status_code == 409 and "推荐已截止" in refused.text
    assert fetch(Enrollment.count().where(Enrollment.session == w.cohort)) == 0

"""Travel and rooms through the real pages: organisers edit, coordinators read their county's teachers, teachers
see their own itinerary and room on /me, printable lists render, edits keep gender and capacity."""

from __future__ import annotations

import re
from typing import Any

from tests.exchange.factory import Cohort, cohort
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training import keys
from training.audit.tables import AuditEntry
from training.core.links import make_link_token
from training.exchange import reads
from training.exchange.tables import Occupancy, TravelLeg, Traveller


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False)


def _group(client: Any, c: Cohort, name: str = "剑阁组") -> int:
    response = _post(client, f"/admin/exchange/{c.session_id}/travel/groups", {"name": name})
    assert response.status_code in (302, 303), response.text
    return int(response.headers["location"].rstrip("/").split("/")[-1])


LEG = {
    "mode": "train",
    "number": "G1234",
    "from_station": "成都东",
    "to_station": "南通西",
    "departs_at": "2027-10-14T09:30",
    "arrives_at": "2027-10-14T20:05",
    "meet_name": "周老师",
    "meet_phone": "13812345678",
}


def _travel(client: Any, c: Cohort) -> int:
    group = _group(client, c)
    response = _post(client, f"/admin/exchange/{c.session_id}/travel/groups/{group}/legs", LEG)
    assert response.status_code in (302, 303), response.text
    ids = [c.teachers["张三梅"], c.teachers["李芳"], c.teachers["刘洋"], c.teachers["陈静"]]
    response = client.post(
        f"/admin/exchange/{c.session_id}/travel/assign",
        data={"enrollment": [str(i) for i in ids], "group": str(group), "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    return group


def test_groups_and_legs_are_made_through_the_pages_and_audited(client: Any) -> None:
    c = run_sync(cohort())
    login_as(client, "organiser")
    group = _travel(client, c)
    page = client.get(f"/admin/exchange/{c.session_id}/travel/groups/{group}")
    assert page.status_code == 200
    assert "G1234" in page.text and "南通西" in page.text and "10-14 20:05" in page.text
    assert "13812345678" in page.text  # organisers see the greeter's phone in full
    found = run_sync(reads.itineraries(c.session_id, [c.teachers["张三梅"]]))
    assert found[c.teachers["张三梅"]].legs[0].meet_phone == "138****5678"
    # a leg arriving before it departs: the error stands next to the arrival, what was typed stays
    bad = _post(
        client,
        f"/admin/exchange/{c.session_id}/travel/groups/{group}/legs",
        {**LEG, "number": "D999", "arrives_at": "2027-10-14T08:00"},
    )
    assert bad.status_code == 422
    assert re.search(r'id="e-arrives_at">[^<]+<', bad.text)
    assert 'value="D999"' in bad.text
    # deleting the leg asks first, then deletes
    leg_id = run_sync(TravelLeg.select(TravelLeg.id).first().run())["id"]
    ask = _post(client, f"/admin/exchange/{c.session_id}/travel/legs/{leg_id}/delete", {})
    assert ask.status_code == 200 and 'name="confirm"' in ask.text
    assert run_sync(TravelLeg.count().run()) == 1
    done = _post(client, f"/admin/exchange/{c.session_id}/travel/legs/{leg_id}/delete", {"confirm": "1"})
    assert done.status_code in (302, 303)
    assert run_sync(TravelLeg.count().run()) == 0
    entities = {row["entity"] for row in run_sync(AuditEntry.select(AuditEntry.entity).run())}
    assert {"travel_group", "travel_leg", "enrollment"} <= entities
    changes = str(run_sync(AuditEntry.select(AuditEntry.changes).run()))
    assert "13812345678" not in changes  # the phone is never logged


def test_an_exception_puts_a_teacher_on_her_own_legs(client: Any) -> None:
    c = run_sync(cohort())
    login_as(client, "organiser")
    _travel(client, c)
    mei = c.teachers["张三梅"]
    saved = _post(
        client,
        f"/admin/exchange/{c.session_id}/travel/teachers/{mei}",
        {"own_legs": "1", "note": "提前一天出发"},
    )
    assert saved.status_code in (302, 303)
    added = _post(
        client,
        f"/admin/exchange/{c.session_id}/travel/teachers/{mei}/legs",
        {
            **LEG,
            "number": "CA4501",
            "mode": "flight",
            "departs_at": "2027-10-13T08:00",
            "arrives_at": "2027-10-13T10:40",
        },
    )
    assert added.status_code in (302, 303), added.text
    it = run_sync(reads.itineraries(c.session_id, [mei]))[mei]
    assert it.own_legs and it.note == "提前一天出发" and [leg.number for leg in it.legs] == ["CA4501"]
    pickups = client.get(f"/admin/exchange/{c.session_id}/travel/pickups/print")
    assert pickups.status_code == 200
    assert "CA4501" in pickups.text and "G1234" in pickups.text and "张三梅" in pickups.text


def test_a_teacher_sees_her_own_itinerary_and_room_on_me_and_not_another(client: Any) -> None:
    c = run_sync(cohort())
    login_as(client, "organiser")
    _travel(client, c)
    assert (
        _post(
            client, f"/admin/exchange/{c.session_id}/rooms/hotels", {"hotel_name": "南通大饭店"}
        ).status_code
        == 302
    )
    hotel = run_sync(reads.sql.hotels(c.session_id))[0]["id"]
    _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/hotels/{hotel}/rooms",
        {"numbers": "301-304", "capacity": "2"},
    )
    _post(client, f"/admin/exchange/{c.session_id}/rooms/draft", {})
    client.cookies.clear()
    mine = client.get(f"/me/{make_link_token(keys.current().teacher_link, c.teachers['张三梅'])}")
    assert mine.status_code == 200
    assert 'id="my-trip"' in mine.text and "G1234" in mine.text and "南通大饭店" in mine.text
    assert "138****5678" in mine.text and "13812345678" not in mine.text
    # 王丽 travels in no group, but has a room
    other = client.get(f"/me/{make_link_token(keys.current().teacher_link, c.teachers['王丽'])}")
    assert "G1234" not in other.text and "南通大饭店" in other.text


def test_a_jiange_coordinator_sees_nothing_of_wusheng_teachers(client: Any) -> None:
    c = run_sync(cohort())
    login_as(client, "organiser")
    _travel(client, c)
    _post(client, f"/admin/exchange/{c.session_id}/rooms/hotels", {"hotel_name": "南通大饭店"})
    hotel = run_sync(reads.sql.hotels(c.session_id))[0]["id"]
    _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/hotels/{hotel}/rooms",
        {"numbers": "301-306", "capacity": "2"},
    )
    _post(client, f"/admin/exchange/{c.session_id}/rooms/draft", {})
    client.cookies.clear()
    login_as(client, "coordinator", c.jiange)
    for path in ("rooms", "rooms/print", "travel", "travel/print", "travel/pickups/print"):
        page = client.get(f"/admin/exchange/{c.session_id}/{path}")
        assert page.status_code == 200, path
        assert "张三梅" in page.text, path
        assert "陈静" not in page.text and "黄磊" not in page.text, path
        assert "13812345678" not in page.text, path
    for api in ("itineraries", "rooms"):
        body = client.get(f"/api/v1/exchange/{c.session_id}/{api}").json()
        assert {item["name"] for item in body["items"]} == {"张三梅", "李芳", "王丽", "刘洋"}
        assert "陈静" not in str(body) and "黄磊" not in str(body)
    wusheng = c.teachers["陈静"]
    assert client.get(f"/admin/exchange/{c.session_id}/travel/teachers/{wusheng}").status_code == 404
    # read-only: no edit forms, and changes are refused
    assert 'id="run-draft"' not in client.get(f"/admin/exchange/{c.session_id}/rooms").text
    assert _post(client, f"/admin/exchange/{c.session_id}/rooms/draft", {}).status_code == 403
    assert _post(client, f"/admin/exchange/{c.session_id}/travel/groups", {"name": "x"}).status_code == 403


def test_staff_and_strangers_see_nothing(client: Any) -> None:
    c = run_sync(cohort())
    assert client.get(f"/admin/exchange/{c.session_id}/rooms", follow_redirects=False).status_code in (
        302,
        303,
        401,
    )
    login_as(client, "staff")
    for path in (
        "/admin/exchange",
        f"/admin/exchange/{c.session_id}/rooms",
        f"/admin/exchange/{c.session_id}/travel",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/api/v1/exchange/{c.session_id}/rooms").status_code == 403


def _rooms(client: Any, c: Cohort) -> dict[str, int]:
    """One hotel: 201 (2 beds), 202 (2 beds), 203 (1 bed)."""
    _post(client, f"/admin/exchange/{c.session_id}/rooms/hotels", {"hotel_name": "常州宾馆"})
    hotel = run_sync(reads.sql.hotels(c.session_id))[0]["id"]
    _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/hotels/{hotel}/rooms",
        {"numbers": "201-202", "capacity": "2"},
    )
    _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/hotels/{hotel}/rooms",
        {"numbers": "203", "capacity": "1"},
    )
    return {r["number"]: int(r["id"]) for r in run_sync(reads.sql.rooms(c.session_id))}


def _room_of(c: Cohort, name: str) -> int | None:
    row = run_sync(
        Occupancy.select(Occupancy.room).where(Occupancy.enrollment == c.teachers[name]).first().run()
    )
    return None if row is None else int(row["room"])


def test_move_and_swap_keep_gender_and_capacity_with_the_error_next_to_the_field(client: Any) -> None:
    c = run_sync(cohort((("张三梅", "jiange", False), ("李芳", "jiange", False), ("刘洋", "jiange", True))))
    login_as(client, "organiser")
    rooms = _rooms(client, c)
    for name, room in (("张三梅", "201"), ("李芳", "201"), ("刘洋", "202")):
        ok = _post(
            client,
            f"/admin/exchange/{c.session_id}/rooms/move",
            {"enrollment": c.teachers[name], "room": rooms[room]},
        )
        assert ok.status_code in (302, 303), ok.text
    full = _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/move",
        {"enrollment": c.teachers["刘洋"], "room": rooms["201"]},
    )
    assert full.status_code == 422
    assert re.search(r'id="e-move-room">[^<]+<', full.text)
    mixed = _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/move",
        {"enrollment": c.teachers["张三梅"], "room": rooms["202"]},
    )
    assert mixed.status_code == 422 and 'id="e-move-room"' in mixed.text
    assert f'<option value="{rooms["202"]}" selected' in mixed.text  # what was chosen stays chosen
    assert _room_of(c, "张三梅") == rooms["201"]
    swap = _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/swap",
        {"first": c.teachers["张三梅"], "second": c.teachers["刘洋"]},
    )
    assert swap.status_code == 422 and 'id="e-swap-second"' in swap.text
    assert _room_of(c, "刘洋") == rooms["202"]
    # a woman alone and a man alone may swap: each room then holds one gender
    _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/move",
        {"enrollment": c.teachers["李芳"], "room": rooms["203"]},
    )
    swapped = _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/swap",
        {"first": c.teachers["李芳"], "second": c.teachers["刘洋"]},
    )
    assert swapped.status_code in (302, 303), swapped.text
    assert _room_of(c, "李芳") == rooms["202"] and _room_of(c, "刘洋") == rooms["203"]


def test_the_draft_and_the_rooming_list(client: Any) -> None:
    c = run_sync(cohort())
    login_as(client, "organiser")
    rooms = _rooms(client, c)
    made = _post(client, f"/admin/exchange/{c.session_id}/rooms/draft", {})
    assert made.status_code in (302, 303)
    assert "draft_partial" in made.headers["location"]  # 6 teachers, 5 beds
    placed = run_sync(Occupancy.select().run())
    assert len(placed) == 5
    again = _post(client, f"/admin/exchange/{c.session_id}/rooms/draft", {})
    assert again.status_code == 200 and 'name="confirm"' in again.text  # replacing a list asks first
    listing = client.get(f"/admin/exchange/{c.session_id}/rooms/print")
    assert listing.status_code == 200
    assert "常州宾馆" in listing.text and "201" in listing.text and "@media print" not in listing.text
    assert "css/exchange.css" in listing.text
    page = client.get(f"/admin/exchange/{c.session_id}/rooms")
    assert 'id="unplaced"' in page.text
    assert set(rooms) == {"201", "202", "203"}


def test_a_summer_session_has_no_travel_pages(client: Any) -> None:
    from tests.kit import world

    programme = run_sync(world.programme())
    session_id = run_sync(world.session(programme))
    login_as(client, "organiser")
    assert client.get(f"/admin/exchange/{session_id}/travel").status_code == 404
    assert run_sync(Traveller.count().run()) == 0


def test_the_draft_keeps_wishes_from_the_session_questions(client: Any) -> None:
    from training.enrollment.answer_tables import EnrollmentAnswer
    from training.programmes.question_tables import SessionQuestion

    c = run_sync(cohort((("张三梅", "jiange", False), ("李芳", "jiange", False), ("王丽", "jiange", False))))
    single = run_sync(
        SessionQuestion.insert(
            SessionQuestion(session=c.session_id, key="single_room", kind="yesno", label="需要单间吗？")
        ).run()
    )[0]["id"]
    mate = run_sync(
        SessionQuestion.insert(
            SessionQuestion(session=c.session_id, key="roommate", kind="text", label="希望与谁同住？")
        ).run()
    )[0]["id"]
    run_sync(
        EnrollmentAnswer.insert(
            EnrollmentAnswer(enrollment=c.teachers["王丽"], question=single, value="true"),
            EnrollmentAnswer(enrollment=c.teachers["张三梅"], question=mate, value='"李芳"'),
        ).run()
    )
    login_as(client, "organiser")
    _post(client, f"/admin/exchange/{c.session_id}/rooms/hotels", {"hotel_name": "常州宾馆"})
    hotel = run_sync(reads.sql.hotels(c.session_id))[0]["id"]
    # 4 double rooms: 王丽 alone fits, and 张三梅 with 李芳 as she asked
    _post(
        client,
        f"/admin/exchange/{c.session_id}/rooms/hotels/{hotel}/rooms",
        {"numbers": "1-4", "capacity": "2"},
    )
    _post(client, f"/admin/exchange/{c.session_id}/rooms/draft", {})
    assert _room_of(c, "张三梅") == _room_of(c, "李芳")
    wang = _room_of(c, "王丽")
    assert wang is not None and wang != _room_of(c, "李芳")
    page = client.get(f"/admin/exchange/{c.session_id}/rooms")
    assert "李芳" in page.text and 'id="unplaced"' not in page.text

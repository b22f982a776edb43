"""The read functions the host side and the /me page use: a teacher's itinerary and room, phones masked."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.exchange.factory import cohort
from training import keys
from training.exchange import reads
from training.exchange.tables import Hotel, Occupancy, Room, TravelGroup, TravelLeg, Traveller


async def test_itineraries_and_rooms_of_the_asked_enrollments_only(adb: object) -> None:
    c = await cohort()
    mei, fang, wang = c.teachers["张三梅"], c.teachers["李芳"], c.teachers["王丽"]
    group = (await TravelGroup.insert(TravelGroup(session=c.session_id, name="剑阁组")))[0]["id"]
    legs = [
        TravelLeg(
            session=c.session_id,
            travel_group=group,
            position=2,
            number="G1234",
            from_station="成都东",
            to_station="南通西",
            departs_at=datetime(2027, 10, 14, 1, 30, tzinfo=UTC),
            arrives_at=datetime(2027, 10, 14, 12, 0, tzinfo=UTC),
            meet_name="周老师",
            meet_phone_encrypted=keys.current().field_cipher.encrypt("13812345678", "phone"),
            meet_phone_masked="138****5678",
        ),
        TravelLeg(
            session=c.session_id,
            travel_group=group,
            position=1,
            mode="bus",
            from_station="剑阁",
            to_station="成都东",
            departs_at=datetime(2027, 10, 13, 23, 0, tzinfo=UTC),
            arrives_at=datetime(2027, 10, 14, 1, 0, tzinfo=UTC),
        ),
    ]
    await TravelLeg.insert(*legs)
    await Traveller.insert(
        Traveller(session=c.session_id, enrollment=mei, travel_group=group),
        Traveller(session=c.session_id, enrollment=fang, travel_group=group, note="晚一天到"),
    )
    found = await reads.itineraries(c.session_id, [mei, wang])
    assert set(found) == {mei}
    it = found[mei]
    assert it.group_name == "剑阁组"
    assert [leg.from_station for leg in it.legs] == ["剑阁", "成都东"]
    assert it.legs[1].departs_at.hour == 9  # China time
    assert it.legs[1].meet_phone == "138****5678"
    revealed = await reads.itineraries(c.session_id, [mei], reveal=True)
    assert revealed[mei].legs[1].meet_phone == "13812345678"

    hotel = (await Hotel.insert(Hotel(session=c.session_id, name="南通大饭店")))[0]["id"]
    room = (await Room.insert(Room(hotel=hotel, number="301", capacity=2)))[0]["id"]
    await Occupancy.insert(
        Occupancy(session=c.session_id, room=room, enrollment=mei),
        Occupancy(session=c.session_id, room=room, enrollment=fang),
    )
    places = await reads.room_assignments(c.session_id, [mei, wang])
    assert set(places) == {mei}
    assert places[mei].room_number == "301" and places[mei].roommates == ("李芳",)
    assert await reads.room_assignments(c.session_id, [wang]) == {}

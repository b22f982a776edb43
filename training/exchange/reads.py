"""What other packages (the host side, the teacher's /me page) read of a cohort's travel and rooms.

Typed, frozen read models; phones of the people meeting a group are masked here (organisers' pages reveal them
through training/exchange/service.py). A teacher with no travel or no room is absent from the answer."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from training import keys
from training.core.clock import LOCAL_TZ
from training.exchange import sql


@dataclass(frozen=True, slots=True)
class Leg:
    id: int
    position: int
    mode: str  # training.exchange.states.LegMode
    number: str  # train or flight number
    from_station: str
    to_station: str
    departs_at: datetime  # China time
    arrives_at: datetime
    meet_name: str  # who meets the group at the arrival station
    meet_phone: str  # masked (138****5678) unless revealed for an organiser


@dataclass(frozen=True, slots=True)
class Itinerary:
    enrollment_id: int
    group_id: int | None
    group_name: str
    own_legs: bool  # she travels on legs of her own, not her group's
    note: str  # a note for her alone
    legs: tuple[Leg, ...]


@dataclass(frozen=True, slots=True)
class RoomPlace:
    enrollment_id: int
    hotel_id: int
    hotel_name: str
    hotel_address: str
    room_id: int
    room_number: str
    capacity: int
    roommates: tuple[str, ...]  # the names of the others in the room


def leg_of(row: dict[str, Any], *, reveal: bool = False) -> Leg:
    phone = row["meet_phone_masked"]
    if reveal and row["meet_phone_encrypted"]:
        phone = keys.current().field_cipher.decrypt(row["meet_phone_encrypted"], "phone")
    return Leg(
        id=int(row["id"]),
        position=int(row["position"]),
        mode=row["mode"],
        number=row["number"],
        from_station=row["from_station"],
        to_station=row["to_station"],
        departs_at=row["departs_at"].astimezone(LOCAL_TZ),
        arrives_at=row["arrives_at"].astimezone(LOCAL_TZ),
        meet_name=row["meet_name"],
        meet_phone=phone,
    )


def _ordered(legs: list[Leg]) -> tuple[Leg, ...]:
    return tuple(sorted(legs, key=lambda leg: (leg.position, leg.departs_at, leg.id)))


async def itineraries(
    session_id: int, enrollment_ids: Collection[int], *, reveal: bool = False
) -> dict[int, Itinerary]:
    """The itinerary of each of these enrollments that has one in the cohort: her group's legs, or her own."""
    wanted = set(enrollment_ids)
    travellers = [t for t in await sql.travellers(session_id) if int(t["enrollment"]) in wanted]
    if not travellers:
        return {}
    by_group: dict[int, list[Leg]] = {}
    by_traveller: dict[int, list[Leg]] = {}
    for row in await sql.legs(session_id):
        leg = leg_of(row, reveal=reveal)
        if row["travel_group"] is not None:
            by_group.setdefault(int(row["travel_group"]), []).append(leg)
        else:
            by_traveller.setdefault(int(row["traveller"]), []).append(leg)
    result: dict[int, Itinerary] = {}
    for t in travellers:
        group_id = None if t["travel_group"] is None else int(t["travel_group"])
        own = bool(t["own_legs"])
        legs = by_traveller.get(int(t["id"]), []) if own else by_group.get(group_id or 0, [])
        result[int(t["enrollment"])] = Itinerary(
            enrollment_id=int(t["enrollment"]),
            group_id=group_id,
            group_name=t["group_name"] or "",
            own_legs=own,
            note=t["note"] or "",
            legs=_ordered(legs),
        )
    return result


async def room_assignments(session_id: int, enrollment_ids: Collection[int]) -> dict[int, RoomPlace]:
    """The room of each of these enrollments that has one in the cohort, with her roommates' names."""
    wanted = set(enrollment_ids)
    occupancies = await sql.occupancies(session_id)
    if not any(int(o["enrollment"]) in wanted for o in occupancies):
        return {}
    rooms = {int(r["id"]): r for r in await sql.rooms(session_id)}
    names_by_room: dict[int, list[tuple[int, str]]] = {}
    for o in occupancies:
        names_by_room.setdefault(int(o["room"]), []).append((int(o["enrollment"]), o["teacher_name"]))
    result: dict[int, RoomPlace] = {}
    for o in occupancies:
        enrollment_id = int(o["enrollment"])
        if enrollment_id not in wanted:
            continue
        room = rooms[int(o["room"])]
        result[enrollment_id] = RoomPlace(
            enrollment_id=enrollment_id,
            hotel_id=int(room["hotel"]),
            hotel_name=room["hotel_name"],
            hotel_address=room["hotel_address"],
            room_id=int(room["id"]),
            room_number=room["number"],
            capacity=int(room["capacity"]),
            roommates=tuple(name for other, name in names_by_room[int(room["id"])] if other != enrollment_id),
        )
    return result

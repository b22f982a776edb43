"""The exchange domain's use cases for pages, the API and other packages: who a cohort's teachers are (as an actor
may see them), travel groups, legs and exceptions, hotels, rooms, the rooming draft and its edits.

Organisers change everything; county coordinators read their own county's teachers; nobody else reads. Every
change is written to the audit log inside its transaction (training/audit/writer.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidTag

from training import db, keys
from training.audit.writer import record, record_change
from training.core.actor import Actor
from training.core.masking import mask_phone
from training.enrollment import answers
from training.errors import DomainError, NotFound, ValidationFailed
from training.exchange import reads, rooming, sql, travel
from training.exchange.reads import Itinerary, Leg, RoomPlace
from training.exchange.tables import Hotel, Occupancy, Room, TravelGroup, TravelLeg, Traveller
from training.i18n import N_, register_messages
from training.people.identity import parse_id_card
from training.programmes.states import ProgrammeKind

register_messages(
    {
        "arrives_before_departure": N_("The arrival is before the departure."),
        "phone_invalid": N_("Enter a phone number (digits, 7 to 20)."),
        "room_full": N_("This room has no free bed."),
        "room_other_gender": N_("Teachers of the other gender are in this room."),
        "same_teacher": N_("Choose two different teachers."),
        "choose_teachers": N_("Tick at least one teacher."),
        "not_in_cohort": N_("This teacher is not in this cohort."),
        "no_room": N_("This teacher has no room yet: move her instead."),
        "room_taken_numbers": N_("A room with this number is already in this hotel."),
    }
)


@dataclass(frozen=True, slots=True)
class Cohort:
    id: int
    title: str
    year: int
    starts_on: date
    ends_on: date
    host_city: str


@dataclass(frozen=True, slots=True)
class Member:
    """A selected teacher of the cohort."""

    enrollment_id: int
    name: str
    school: str
    county_id: int
    county_name: str
    gender: str  # from her ID number; "" when it cannot be read (an erased record)


def gender_from_record(row: Mapping[str, Any]) -> str:
    """The gender her ID number carries (17th digit: odd is male), else the one on file, else ""."""
    if row.get("erased"):
        return ""
    try:
        number = keys.current().field_cipher.decrypt(row["id_encrypted"], "id")
        return parse_id_card(number).gender
    except (ValueError, InvalidTag):  # IdCardError, or a ciphertext that does not open
        return row.get("gender") or ""


async def cohort(session_id: int) -> Cohort:
    row = await sql.session_kind(session_id)
    if row is None or row["kind"] != ProgrammeKind.EXCHANGE:
        raise NotFound()
    return Cohort(
        id=int(row["id"]),
        title=row["title"],
        year=int(row["year"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        host_city=row["host_city"] or "",
    )


async def cohorts() -> list[Cohort]:
    return [
        Cohort(int(r["id"]), r["title"], int(r["year"]), r["starts_on"], r["ends_on"], r["host_city"] or "")
        for r in await sql.exchange_sessions()
    ]


def _may_read(actor: Actor) -> None:
    if not (actor.is_organiser or actor.is_coordinator):
        raise DomainError("forbidden", status=403)


def _must_organise(actor: Actor) -> None:
    if not actor.is_organiser:
        raise DomainError("forbidden", status=403)


async def members(actor: Actor, session_id: int) -> list[Member]:
    """The cohort's selected teachers this actor may see: all for organisers, her county's for a coordinator."""
    _may_read(actor)
    await cohort(session_id)
    return [
        Member(
            enrollment_id=int(r["id"]),
            name=r["teacher_name"],
            school=r["school_name"] or "",
            county_id=int(r["county"]),
            county_name=r["county_name"],
            gender=gender_from_record(r),
        )
        for r in await sql.members(session_id)
        if actor.may_see_county(int(r["county"]))
    ]


async def _member(session_id: int, enrollment_id: int) -> Member:
    for m in await members(_SYSTEM_ORGANISER, session_id):
        if m.enrollment_id == enrollment_id:
            return m
    raise ValidationFailed({"enrollment": "not_in_cohort"})


_SYSTEM_ORGANISER = Actor(user_id=None, username="", display_name="", role="organiser")


# --- travel: reads -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    name: str
    note: str
    legs: tuple[Leg, ...]
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class TravelBoard:
    cohort: Cohort
    groups: tuple[GroupView, ...]
    members: tuple[Member, ...]
    itineraries: dict[int, Itinerary]

    @property
    def unassigned(self) -> list[Member]:
        return [
            m
            for m in self.members
            if m.enrollment_id not in self.itineraries
            or (
                self.itineraries[m.enrollment_id].group_id is None
                and not self.itineraries[m.enrollment_id].own_legs
            )
        ]

    @property
    def exceptions(self) -> list[tuple[Member, Itinerary]]:
        return [
            (m, self.itineraries[m.enrollment_id])
            for m in self.members
            if m.enrollment_id in self.itineraries
            and (self.itineraries[m.enrollment_id].own_legs or self.itineraries[m.enrollment_id].note)
        ]


async def travel_board(actor: Actor, session_id: int) -> TravelBoard:
    """Groups with their legs and the members this actor may see; greeters' phones revealed to organisers only."""
    the_cohort = await cohort(session_id)
    people = await members(actor, session_id)
    its = await reads.itineraries(session_id, [m.enrollment_id for m in people], reveal=actor.is_organiser)
    legs_by_group: dict[int, list[Leg]] = {}
    for row in await sql.legs(session_id):
        if row["travel_group"] is not None:
            legs_by_group.setdefault(int(row["travel_group"]), []).append(
                reads.leg_of(row, reveal=actor.is_organiser)
            )
    groups = tuple(
        GroupView(
            id=int(g["id"]),
            name=g["name"],
            note=g["note"] or "",
            legs=tuple(legs_by_group.get(int(g["id"]), [])),
            members=tuple(
                m for m in people if its.get(m.enrollment_id) and its[m.enrollment_id].group_id == g["id"]
            ),
        )
        for g in await sql.groups(session_id)
    )
    if not actor.is_organiser:  # a coordinator sees the groups her teachers travel in
        groups = tuple(g for g in groups if g.members)
    return TravelBoard(the_cohort, groups, tuple(people), its)


async def group_of(actor: Actor, session_id: int, group_id: int) -> GroupView:
    board = await travel_board(actor, session_id)
    for g in board.groups:
        if g.id == group_id:
            return g
    raise NotFound()


# --- travel: changes ----------------------------------------------------------------------------------------


async def _group_row(session_id: int, group_id: int) -> dict[str, Any]:
    row = (
        await TravelGroup.select()
        .where((TravelGroup.id == group_id) & (TravelGroup.session == session_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row


def _group_values(name: str, note: str) -> dict[str, str]:
    name, note = name.strip(), note.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "required"
    elif len(name) > travel.LIMITS["group_name"]:
        errors["name"] = "too_long"
    if len(note) > travel.LIMITS["note"]:
        errors["note"] = "too_long"
    if errors:
        raise ValidationFailed(errors, {"max": travel.LIMITS["group_name"]})
    return {"name": name, "note": note}


async def create_group(actor: Actor, session_id: int, name: str, note: str = "") -> int:
    _must_organise(actor)
    await cohort(session_id)
    values = _group_values(name, note)
    async with db.transaction():
        rows = await TravelGroup.insert(
            TravelGroup(session=session_id, name=values["name"], note=values["note"])
        )
        group_id = int(rows[0]["id"])
        await record_change(actor, "travel_group", group_id, None, {"session": session_id, **values})
    return group_id


async def update_group(actor: Actor, session_id: int, group_id: int, name: str, note: str) -> None:
    _must_organise(actor)
    values = _group_values(name, note)
    async with db.transaction():
        before = await _group_row(session_id, group_id)
        await TravelGroup.update({TravelGroup.name: values["name"], TravelGroup.note: values["note"]}).where(
            TravelGroup.id == group_id
        )
        await record_change(actor, "travel_group", group_id, before, {**before, **values})


async def delete_group(actor: Actor, session_id: int, group_id: int) -> None:
    """The group and its legs; its teachers become unassigned."""
    _must_organise(actor)
    async with db.transaction():
        before = await _group_row(session_id, group_id)
        await TravelGroup.delete().where(TravelGroup.id == group_id)
        await record_change(actor, "travel_group", group_id, before, None)


def _leg_columns(leg: travel.LegDraft) -> dict[str, Any]:
    phone = travel.normalize_phone(leg.meet_phone)
    return {
        "mode": leg.mode,
        "number": leg.number.strip(),
        "from_station": leg.from_station.strip(),
        "to_station": leg.to_station.strip(),
        "departs_at": leg.departs_at,
        "arrives_at": leg.arrives_at,
        "meet_name": leg.meet_name.strip(),
        "meet_phone_encrypted": keys.current().field_cipher.encrypt(phone, "phone") if phone else "",
        "meet_phone_masked": mask_phone(phone) if phone else "",
    }


def _audited(columns: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a leg: never the phone, only its mask."""
    return {k: v for k, v in columns.items() if k != "meet_phone_encrypted"}


async def _traveller_id(session_id: int, enrollment_id: int) -> int:
    """Her traveller row, made on first use (inside the caller's transaction)."""
    row = (
        await Traveller.select(Traveller.id)
        .where((Traveller.session == session_id) & (Traveller.enrollment == enrollment_id))
        .first()
    )
    if row is not None:
        return int(row["id"])
    rows = await Traveller.insert(Traveller(session=session_id, enrollment=enrollment_id))
    return int(rows[0]["id"])


async def add_leg(
    actor: Actor,
    session_id: int,
    leg: travel.LegDraft,
    *,
    group_id: int | None = None,
    enrollment_id: int | None = None,
) -> int:
    """A leg of a group, or of one teacher who travels on her own legs."""
    _must_organise(actor)
    problems = travel.leg_problems(leg)
    if problems:
        raise ValidationFailed(problems, {"max": 64})
    columns = _leg_columns(leg)
    async with db.transaction():
        owner: dict[str, Any]
        if group_id is not None:
            await _group_row(session_id, group_id)
            owner = {"travel_group": group_id}
            same = TravelLeg.travel_group == group_id
        else:
            if enrollment_id is None:
                raise NotFound()
            await _member(session_id, enrollment_id)
            traveller = await _traveller_id(session_id, enrollment_id)
            owner = {"traveller": traveller}
            same = TravelLeg.traveller == traveller
        position = leg.position
        if position is None:
            last = (
                await TravelLeg.select(TravelLeg.position)
                .where(same)
                .order_by(TravelLeg.position, ascending=False)
                .first()
            )
            position = (int(last["position"]) if last else 0) + 1
        rows = await TravelLeg.insert(TravelLeg(session=session_id, position=position, **owner, **columns))
        leg_id = int(rows[0]["id"])
        await record_change(
            actor,
            "travel_leg",
            leg_id,
            None,
            {"session": session_id, "position": position, **owner, **_audited(columns)},
        )
    return leg_id


async def delete_leg(actor: Actor, session_id: int, leg_id: int) -> None:
    _must_organise(actor)
    async with db.transaction():
        before = (
            await TravelLeg.select()
            .where((TravelLeg.id == leg_id) & (TravelLeg.session == session_id))
            .first()
        )
        if before is None:
            raise NotFound()
        await TravelLeg.delete().where(TravelLeg.id == leg_id)
        await record_change(actor, "travel_leg", leg_id, _audited(before), None)


async def assign(actor: Actor, session_id: int, enrollment_ids: Collection[int], group_id: int | None) -> int:
    """Put these teachers in the group (None: in no group); returns how many changed."""
    _must_organise(actor)
    cohort_ids = {m.enrollment_id for m in await members(actor, session_id)}
    unknown = [e for e in enrollment_ids if e not in cohort_ids]
    if unknown:
        raise ValidationFailed({"enrollment": "not_in_cohort"})
    changed = 0
    async with db.transaction():
        if group_id is not None:
            await _group_row(session_id, group_id)
        for enrollment_id in enrollment_ids:
            traveller = await _traveller_id(session_id, enrollment_id)
            before = await Traveller.select(Traveller.travel_group).where(Traveller.id == traveller).first()
            if before is not None and before["travel_group"] == group_id:
                continue
            await Traveller.update({Traveller.travel_group: group_id}).where(Traveller.id == traveller)
            await record(
                actor,
                "travel_group_assign",
                "enrollment",
                enrollment_id,
                {"travel_group": [before["travel_group"] if before else None, group_id]},
            )
            changed += 1
    return changed


async def set_exception(
    actor: Actor, session_id: int, enrollment_id: int, *, own_legs: bool, note: str
) -> None:
    """Her own legs instead of her group's, and a note for her alone."""
    _must_organise(actor)
    note = note.strip()
    if len(note) > travel.LIMITS["note"]:
        raise ValidationFailed({"note": "too_long"}, {"max": travel.LIMITS["note"]})
    await _member(session_id, enrollment_id)
    async with db.transaction():
        traveller = await _traveller_id(session_id, enrollment_id)
        before = (
            await Traveller.select(Traveller.own_legs, Traveller.note)
            .where(Traveller.id == traveller)
            .first()
        )
        after = {"own_legs": own_legs, "note": note}
        await Traveller.update({Traveller.own_legs: own_legs, Traveller.note: note}).where(
            Traveller.id == traveller
        )
        await record_change(actor, "traveller", traveller, before, after)


async def pickup_list(actor: Actor, session_id: int) -> list[travel.Pickup]:
    """Arrivals per station and day, with who is on each leg (the teachers this actor may see)."""
    people = {m.enrollment_id: m for m in await members(actor, session_id)}
    its = await reads.itineraries(session_id, list(people), reveal=actor.is_organiser)
    passengers: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    legs: dict[int, Leg] = {}
    for enrollment_id, it in its.items():
        for leg in it.legs:
            passengers.setdefault(leg.id, []).append(people[enrollment_id].name)
            legs[leg.id] = leg
            labels[leg.id] = people[enrollment_id].name if it.own_legs else it.group_name
    return travel.pickups(
        (
            travel.PickupLeg(
                leg.id,
                labels[leg.id],
                leg.number,
                leg.from_station,
                leg.to_station,
                leg.arrives_at,
                leg.meet_name,
                leg.meet_phone,
            )
            for leg in legs.values()
        ),
        passengers,
    )


# --- rooms ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoomView:
    id: int
    hotel_id: int
    hotel_name: str
    number: str
    capacity: int
    occupants: tuple[Member, ...]

    @property
    def free(self) -> int:
        return self.capacity - len(self.occupants)

    @property
    def gender(self) -> str:
        return self.occupants[0].gender if self.occupants else ""


@dataclass(frozen=True, slots=True)
class HotelView:
    id: int
    name: str
    address: str
    rooms: tuple[RoomView, ...]


@dataclass(frozen=True, slots=True)
class RoomBoard:
    cohort: Cohort
    hotels: tuple[HotelView, ...]
    members: tuple[Member, ...]
    places: dict[int, RoomPlace]
    wishes: dict[int, RoomWish]

    @property
    def unplaced(self) -> list[Member]:
        return [m for m in self.members if m.enrollment_id not in self.places]

    @property
    def beds(self) -> int:
        return sum(r.capacity for h in self.hotels for r in h.rooms)


@dataclass(frozen=True, slots=True)
class RoomWish:
    single_room: bool
    roommate: str  # the colleague's name, as she typed it


YES = frozenset({"yes", "y", "true", "1", "是", "要", "需要"})


def wishes_from_answers(answers: Mapping[int, Mapping[str, object]]) -> dict[int, RoomWish]:
    """enrollment → her room wishes, from the answers to the questions keyed `single_room` (yes/no) and
    `roommate` (a name); other keys are ignored, a teacher with neither is absent."""
    wishes: dict[int, RoomWish] = {}
    for enrollment_id, values in answers.items():
        single = values.get("single_room")
        single_room = single is True or (isinstance(single, str) and single.strip().lower() in YES)
        roommate = values.get("roommate")
        name = roommate.strip() if isinstance(roommate, str) else ""
        if single_room or name:
            wishes[int(enrollment_id)] = RoomWish(single_room, name[:64])
    return wishes


async def room_wishes(session_id: int) -> dict[int, RoomWish]:
    """The cohort's room wishes from its registration or nomination questions (training/enrollment/answers.py)."""
    return wishes_from_answers(await answers.answers_by_key(session_id))


async def visible_rooms(
    actor: Actor, session_id: int, enrollment_ids: Collection[int]
) -> dict[int, RoomPlace]:
    """Rooms as this actor may see them: a coordinator sees the names of roommates of her own county only."""
    places = await reads.room_assignments(session_id, enrollment_ids)
    if actor.is_organiser:
        return places
    seen = {m.name for m in await members(actor, session_id)}
    return {
        e: replace(place, roommates=tuple(name for name in place.roommates if name in seen))
        for e, place in places.items()
    }


async def room_board(actor: Actor, session_id: int) -> RoomBoard:
    the_cohort = await cohort(session_id)
    people = await members(actor, session_id)
    visible = {m.enrollment_id: m for m in people}
    places = await reads.room_assignments(session_id, list(visible))
    occupants: dict[int, list[Member]] = {}
    for enrollment_id, place in places.items():
        occupants.setdefault(place.room_id, []).append(visible[enrollment_id])
    # beds taken by teachers this actor does not see still count as taken
    taken = {int(o["room"]): 0 for o in await sql.occupancies(session_id)}
    for o in await sql.occupancies(session_id):
        taken[int(o["room"])] += 1
    hotels: dict[int, HotelView] = {
        int(h["id"]): HotelView(int(h["id"]), h["name"], h["address"] or "", ())
        for h in await sql.hotels(session_id)
    }
    for r in await sql.rooms(session_id):
        room = RoomView(
            int(r["id"]),
            int(r["hotel"]),
            r["hotel_name"],
            r["number"],
            int(r["capacity"]),
            tuple(occupants.get(int(r["id"]), [])),
        )
        if not actor.is_organiser and not room.occupants:
            continue
        h = hotels[room.hotel_id]
        hotels[room.hotel_id] = HotelView(h.id, h.name, h.address, (*h.rooms, room))
    shown = tuple(h for h in hotels.values() if actor.is_organiser or h.rooms)
    wishes = await room_wishes(session_id) if actor.is_organiser else {}
    return RoomBoard(the_cohort, shown, tuple(people), places, wishes)


async def add_hotel(actor: Actor, session_id: int, name: str, address: str = "") -> int:
    _must_organise(actor)
    await cohort(session_id)
    name, address = name.strip(), address.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["hotel_name"] = "required"
    elif len(name) > 128:
        errors["hotel_name"] = "too_long"
    if len(address) > 200:
        errors["address"] = "too_long"
    if errors:
        raise ValidationFailed(errors, {"max": 128})
    async with db.transaction():
        rows = await Hotel.insert(Hotel(session=session_id, name=name, address=address))
        hotel_id = int(rows[0]["id"])
        await record_change(
            actor, "hotel", hotel_id, None, {"session": session_id, "name": name, "address": address}
        )
    return hotel_id


def room_numbers(raw: str) -> list[str]:
    """ "301-305, 401" → 301 302 303 304 305 401 (a range only between numbers of the same width)."""
    numbers: list[str] = []
    for part in raw.replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = part.partition("-")
        if dash and low.strip().isdigit() and high.strip().isdigit() and int(high) >= int(low):
            if int(high) - int(low) > 200:
                raise ValidationFailed({"numbers": "too_many_rooms"})
            numbers += [str(n).zfill(len(low.strip())) for n in range(int(low), int(high) + 1)]
        else:
            numbers.append(part)
    return numbers


register_messages(
    {
        "too_many_rooms": N_("At most 200 rooms at a time."),
        "capacity_range": N_("A room has 1 to 12 beds."),
    }
)


async def add_rooms(actor: Actor, session_id: int, hotel_id: int, numbers: str, capacity: int | None) -> int:
    """Rooms by number ("301-310, 401") with the same number of beds; returns how many were added."""
    _must_organise(actor)
    hotel = await Hotel.select().where((Hotel.id == hotel_id) & (Hotel.session == session_id)).first()
    if hotel is None:
        raise NotFound()
    wanted = room_numbers(numbers)
    errors: dict[str, str] = {}
    if not wanted:
        errors["numbers"] = "required"
    elif any(len(n) > 16 for n in wanted):
        errors["numbers"] = "too_long"
    if capacity is None or not 1 <= capacity <= 12:
        errors["capacity"] = "capacity_range"
    if errors:
        raise ValidationFailed(errors, {"max": 16})
    async with db.transaction():
        existing = {r["number"] for r in await Room.select(Room.number).where(Room.hotel == hotel_id)}
        if existing & set(wanted):
            raise ValidationFailed({"numbers": "room_taken_numbers"})
        added = 0
        for number in dict.fromkeys(wanted):
            rows = await Room.insert(Room(hotel=hotel_id, number=number, capacity=capacity))
            await record_change(
                actor,
                "room",
                int(rows[0]["id"]),
                None,
                {"hotel": hotel_id, "number": number, "capacity": capacity},
            )
            added += 1
    return added


async def delete_room(actor: Actor, session_id: int, room_id: int) -> None:
    """The room; its teachers become unplaced."""
    _must_organise(actor)
    async with db.transaction():
        row = await db.fetch_one(
            'SELECT r."id", r."hotel", r."number", r."capacity" FROM "exchange_room" r '
            'JOIN "exchange_hotel" h ON h."id" = r."hotel" WHERE r."id" = {} AND h."session" = {}',
            room_id,
            session_id,
        )
        if row is None:
            raise NotFound()
        await Room.delete().where(Room.id == room_id)
        await record_change(actor, "room", room_id, row, None)


def _guests(people: list[Member], wishes: Mapping[int, RoomWish]) -> list[rooming.Guest]:
    none = RoomWish(False, "")
    return [
        rooming.Guest(
            id=m.enrollment_id,
            gender=m.gender,
            name=m.name,
            single_room=wishes.get(m.enrollment_id, none).single_room,
            roommate=wishes.get(m.enrollment_id, none).roommate,
        )
        for m in people
    ]


async def run_draft(actor: Actor, session_id: int) -> rooming.Draft:
    """Replace the cohort's rooming with a fresh draft (rooming.draft: capacity, gender, then wishes)."""
    _must_organise(actor)
    people = await members(actor, session_id)
    wishes = await room_wishes(session_id)
    async with db.transaction():
        rooms = [rooming.Bedroom(int(r["id"]), int(r["capacity"])) for r in await sql.rooms(session_id)]
        result = rooming.draft(_guests(people, wishes), rooms)
        await Occupancy.delete().where(Occupancy.session == session_id)
        places = [
            Occupancy(session=session_id, room=room_id, enrollment=guest)
            for room_id, guests in result.rooms.items()
            for guest in guests
        ]
        if places:
            await Occupancy.insert(*places)
        await record(
            actor,
            "rooming_draft",
            "session",
            session_id,
            {
                "placed": len(places),
                "unplaced": len(result.unplaced),
                "wishes_missed": len(result.wishes_missed),
            },
        )
    return result


async def _occupants(session_id: int) -> dict[int, int]:
    """enrollment → room, for the whole cohort."""
    return {int(o["enrollment"]): int(o["room"]) for o in await sql.occupancies(session_id)}


async def move(actor: Actor, session_id: int, enrollment_id: int, room_id: int | None) -> None:
    """Move a teacher to a room (None: out of every room). Refused with the reason on the room field when the
    room is full or holds teachers of the other gender."""
    _must_organise(actor)
    people = {m.enrollment_id: m for m in await members(actor, session_id)}
    if enrollment_id not in people:
        raise ValidationFailed({"enrollment": "not_in_cohort"})
    async with db.transaction():
        where = await _occupants(session_id)
        before = where.get(enrollment_id)
        if room_id is not None:
            room = next((r for r in await sql.rooms(session_id) if int(r["id"]) == room_id), None)
            if room is None:
                raise ValidationFailed({"room": "invalid_choice"})
            inside = {e: people[e].gender for e, r in where.items() if r == room_id and e in people}
            problem = rooming.move_problem(
                people[enrollment_id].gender, int(room["capacity"]), inside, enrollment_id
            )
            if problem:
                raise ValidationFailed({"room": problem})
        await Occupancy.delete().where(
            (Occupancy.session == session_id) & (Occupancy.enrollment == enrollment_id)
        )
        if room_id is not None:
            await Occupancy.insert(Occupancy(session=session_id, room=room_id, enrollment=enrollment_id))
        await record(actor, "room_move", "enrollment", enrollment_id, {"room": [before, room_id]})


async def swap(actor: Actor, session_id: int, first: int, second: int) -> None:
    """Two teachers trade beds. Refused when either would share a room with teachers of the other gender."""
    _must_organise(actor)
    if first == second:
        raise ValidationFailed({"second": "same_teacher"})
    people = {m.enrollment_id: m for m in await members(actor, session_id)}
    for field, e in (("first", first), ("second", second)):
        if e not in people:
            raise ValidationFailed({field: "not_in_cohort"})
    async with db.transaction():
        where = await _occupants(session_id)
        for field, e in (("first", first), ("second", second)):
            if e not in where:
                raise ValidationFailed({field: "no_room"})
        a_room, b_room = where[first], where[second]
        others_a = {e: people[e].gender for e, r in where.items() if r == a_room and e not in (first, second)}
        others_b = {e: people[e].gender for e, r in where.items() if r == b_room and e not in (first, second)}
        problem = rooming.swap_problem(people[first].gender, others_a, people[second].gender, others_b)
        if problem:
            raise ValidationFailed({"second": problem})
        if people[first].gender not in ("male", "female") or people[second].gender not in ("male", "female"):
            raise ValidationFailed({"second": "room_other_gender"})
        await Occupancy.update({Occupancy.room: b_room}).where(
            (Occupancy.session == session_id) & (Occupancy.enrollment == first)
        )
        await Occupancy.update({Occupancy.room: a_room}).where(
            (Occupancy.session == session_id) & (Occupancy.enrollment == second)
        )
        await record(actor, "room_swap", "enrollment", first, {"room": [a_room, b_room], "with": second})
        await record(actor, "room_swap", "enrollment", second, {"room": [b_room, a_room], "with": first})

"""The rooming draft and the rules of every edit: pure (no I/O), so the property tests drive them directly.

Hard rules: a room never holds more teachers than it has beds, and never teachers of both genders. Wishes, kept
where the hard rules and everyone's bed allow: a single room; sharing with a named colleague.

The draft first splits the rooms between the genders so that both fit when any split lets them (a subset sum
over the rooms' beds); when none does, it takes the split that places the most teachers and lists the rest as
unplaced. Within each gender, single-room wishes are granted (smallest rooms first) only while the beds they
leave empty are spare beds, then teachers who asked for each other share a room where one has space for them
together, then everyone else fills the free beds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from training.people.identity import normalize_name


@dataclass(frozen=True, slots=True)
class Guest:
    id: int  # the enrollment
    gender: str  # "male" / "female"
    name: str = ""
    single_room: bool = False
    roommate: str = ""  # the name of the colleague she wishes to share with


@dataclass(frozen=True, slots=True)
class Bedroom:
    id: int
    capacity: int


@dataclass(frozen=True)
class Draft:
    rooms: dict[int, tuple[int, ...]]  # room id → guest ids (rooms left empty are absent)
    unplaced: tuple[int, ...]  # guests without a bed: not enough beds for their gender
    wishes_missed: tuple[int, ...] = field(
        default=()
    )  # guests whose single-room or roommate wish was not kept

    def room_of(self, guest_id: int) -> int | None:
        for room_id, guests in self.rooms.items():
            if guest_id in guests:
                return room_id
        return None


def _reachable_sums(capacities: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """Every total of beds some subset of the rooms reaches → one such subset (indexes), the first found."""
    reach: dict[int, tuple[int, ...]] = {0: ()}
    for index, capacity in enumerate(capacities):
        for total, subset in list(reach.items()):
            reach.setdefault(total + capacity, (*subset, index))
    return reach


def split_rooms(rooms: Sequence[Bedroom], males: int, females: int) -> tuple[list[Bedroom], list[Bedroom]]:
    """(rooms for men, rooms for women): a split that beds everyone when one exists, else one that beds the most;
    among equals, the fewest spare beds on the men's side."""
    ordered = sorted(rooms, key=lambda r: (r.capacity, r.id))
    total = sum(r.capacity for r in ordered)
    reach = _reachable_sums([r.capacity for r in ordered])

    def score(male_beds: int) -> tuple[int, int]:
        placed = min(male_beds, males) + min(total - male_beds, females)
        return (placed, -abs(male_beds - males))

    best = max(sorted(reach), key=score)
    chosen = set(reach[best])
    men = [room for i, room in enumerate(ordered) if i in chosen]
    women = [room for i, room in enumerate(ordered) if i not in chosen]
    return men, women


def _wish_clusters(guests: Sequence[Guest]) -> list[list[Guest]]:
    """Guests joined by roommate wishes (either way) into clusters, largest first; the rest alone."""
    by_name = {normalize_name(g.name): g for g in guests if g.name}
    parent = {g.id: g.id for g in guests}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g in guests:
        other = by_name.get(normalize_name(g.roommate)) if g.roommate else None
        if other is not None and other.id != g.id:
            parent[root(g.id)] = root(other.id)
    clusters: dict[int, list[Guest]] = {}
    for g in guests:
        clusters.setdefault(root(g.id), []).append(g)
    return sorted(clusters.values(), key=lambda c: (-len(c), c[0].id))


def _fill(
    guests: Sequence[Guest], rooms: Sequence[Bedroom]
) -> tuple[dict[int, list[int]], list[int], set[int]]:
    """One gender into its rooms: (room → guest ids, unplaced, guests whose wish was missed)."""
    placed: dict[int, list[int]] = {}
    missed: set[int] = set()
    free_rooms = sorted(rooms, key=lambda r: (r.capacity, r.id))
    spare = sum(r.capacity for r in free_rooms) - len(guests)
    rest: list[Guest] = []
    for g in guests:
        if not g.single_room:
            rest.append(g)
            continue
        room = next((r for r in free_rooms if r.capacity - 1 <= spare), None)
        if room is None:
            missed.add(g.id)
            rest.append(g)
            continue
        free_rooms.remove(room)
        spare -= room.capacity - 1
        placed[room.id] = [g.id]
    beds = {r.id: r.capacity for r in free_rooms}
    order = [r.id for r in sorted(free_rooms, key=lambda r: (-r.capacity, r.id))]
    unplaced: list[int] = []
    for cluster in _wish_clusters(rest):
        whole = next((rid for rid in order if beds[rid] >= len(cluster)), None)
        if whole is None and len(cluster) > 1:
            missed.update(g.id for g in cluster if g.roommate)
        for g in cluster:
            rid = (
                whole
                if whole is not None and beds[whole] > 0
                else next((r for r in order if beds[r] > 0), None)
            )
            if rid is None:
                unplaced.append(g.id)
                continue
            placed.setdefault(rid, []).append(g.id)
            beds[rid] -= 1
    return placed, unplaced, missed


def draft(guests: Iterable[Guest], rooms: Iterable[Bedroom]) -> Draft:
    """A first rooming list for the cohort (see the module's docstring for the rules)."""
    everyone = sorted(guests, key=lambda g: g.id)
    all_rooms = list(rooms)
    men = [g for g in everyone if g.gender == "male"]
    women = [g for g in everyone if g.gender == "female"]
    men_rooms, women_rooms = split_rooms(all_rooms, len(men), len(women))
    result: dict[int, tuple[int, ...]] = {}
    # a guest whose gender is not known (an erased record) is never put with anyone
    unplaced: list[int] = [g.id for g in everyone if g.gender not in ("male", "female")]
    missed: set[int] = set()
    for people, their_rooms in ((men, men_rooms), (women, women_rooms)):
        placed, left, wish_missed = _fill(people, their_rooms)
        result.update({rid: tuple(ids) for rid, ids in placed.items()})
        unplaced += left
        missed |= wish_missed
    names = {normalize_name(o.name): o.id for o in everyone if o.name}
    for g in everyone:  # a roommate wish counts as kept only if they ended up together
        if g.roommate and g.id not in unplaced:
            other = names.get(normalize_name(g.roommate))
            room = next((rid for rid, ids in result.items() if g.id in ids), None)
            if other is None or room is None or other not in result.get(room, ()):
                missed.add(g.id)
    return Draft(rooms=result, unplaced=tuple(sorted(unplaced)), wishes_missed=tuple(sorted(missed)))


# --- edits ---------------------------------------------------------------------------------------------------


def move_problem(
    guest_gender: str, room_capacity: int, occupants: Mapping[int, str], guest_id: int
) -> str | None:
    """Why the guest cannot move into this room (occupants: guest id → gender, her own bed excluded), or None."""
    others = {gid: gender for gid, gender in occupants.items() if gid != guest_id}
    if len(others) >= room_capacity:
        return "room_full"
    if any(gender != guest_gender for gender in others.values()):
        return "room_other_gender"
    return None


def swap_problem(
    first_gender: str,
    first_room_others: Mapping[int, str],
    second_gender: str,
    second_room_others: Mapping[int, str],
) -> str | None:
    """Why two guests cannot trade beds (each room's other occupants → gender, the two guests excluded)."""
    if any(gender != second_gender for gender in first_room_others.values()):
        return "room_other_gender"
    if any(gender != first_gender for gender in second_room_others.values()):
        return "room_other_gender"
    return None

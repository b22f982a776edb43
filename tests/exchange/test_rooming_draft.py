"""The rooming draft's hard rules hold for any cohort and any rooms (property tests), and its wishes are kept
where they can be."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from training.exchange.rooming import Bedroom, Guest, draft, move_problem, split_rooms, swap_problem

NAMES = ["张三梅", "李芳", "王丽", "赵敏", "陈静", "刘洋", "杨帆", "黄磊"]

guests_strategy = st.lists(
    st.builds(
        lambda gender, name, single, roommate: (gender, name, single, roommate),
        st.sampled_from(["male", "female"]),
        st.sampled_from(NAMES),
        st.booleans(),
        st.sampled_from(["", *NAMES]),
    ),
    max_size=40,
).map(lambda rows: [Guest(i + 1, g, n, s, r) for i, (g, n, s, r) in enumerate(rows)])

rooms_strategy = st.lists(st.integers(min_value=1, max_value=6), max_size=25).map(
    lambda caps: [Bedroom(100 + i, c) for i, c in enumerate(caps)]
)


def _split_exists(rooms: list[Bedroom], males: int, females: int) -> bool:
    """Brute force over every split (the oracle the draft's subset sum must agree with)."""
    sums = {0}
    for room in rooms:
        sums |= {s + room.capacity for s in sums}
    total = sum(r.capacity for r in rooms)
    return any(s >= males and total - s >= females for s in sums)


@settings(max_examples=400, deadline=None)
@given(guests=guests_strategy, rooms=rooms_strategy)
def test_no_room_over_capacity_no_mixed_room_everyone_placed_when_beds_suffice(
    guests: list[Guest], rooms: list[Bedroom]
) -> None:
    result = draft(guests, rooms)
    capacity = {r.id: r.capacity for r in rooms}
    gender = {g.id: g.gender for g in guests}
    placed = [gid for ids in result.rooms.values() for gid in ids]
    # every guest exactly once: placed or listed as unplaced
    assert Counter(placed + list(result.unplaced)) == Counter(g.id for g in guests)
    for room_id, ids in result.rooms.items():
        assert room_id in capacity
        assert 0 < len(ids) <= capacity[room_id]
        assert len({gender[gid] for gid in ids}) == 1
    males = sum(1 for g in guests if g.gender == "male")
    females = len(guests) - males
    if _split_exists(rooms, males, females):
        assert result.unplaced == ()
    else:
        assert result.unplaced  # not everyone fits: the rest are listed


@settings(max_examples=200, deadline=None)
@given(guests=guests_strategy, rooms=rooms_strategy)
def test_the_split_beds_as_many_as_any_split_could(guests: list[Guest], rooms: list[Bedroom]) -> None:
    males = sum(1 for g in guests if g.gender == "male")
    females = len(guests) - males
    men, women = split_rooms(rooms, males, females)
    assert sorted(r.id for r in men + women) == sorted(r.id for r in rooms)
    sums = {0}
    for room in rooms:
        sums |= {s + room.capacity for s in sums}
    total = sum(r.capacity for r in rooms)
    best = max(min(s, males) + min(total - s, females) for s in sums)
    got = min(sum(r.capacity for r in men), males) + min(sum(r.capacity for r in women), females)
    assert got == best


def test_single_room_and_roommate_wishes_are_kept_when_beds_allow() -> None:
    guests = [
        Guest(1, "female", "张三梅", roommate="李芳"),
        Guest(2, "female", "李芳"),
        Guest(3, "female", "王丽", single_room=True),
        Guest(4, "male", "刘洋"),
        Guest(5, "female", "赵敏"),
    ]
    rooms = [Bedroom(10, 2), Bedroom(11, 2), Bedroom(12, 1), Bedroom(13, 2)]
    result = draft(guests, rooms)
    assert result.unplaced == ()
    assert result.room_of(1) == result.room_of(2)
    assert result.rooms[result.room_of(3) or 0] == (3,)
    assert result.wishes_missed == ()


def test_a_single_room_wish_gives_way_when_a_colleague_would_lose_her_bed() -> None:
    guests = [Guest(1, "female", "王丽", single_room=True), Guest(2, "female", "赵敏")]
    result = draft(guests, [Bedroom(10, 2)])
    assert result.rooms == {10: (1, 2)}
    assert result.wishes_missed == (1,)


def test_a_guest_of_unknown_gender_is_never_put_with_anyone() -> None:
    result = draft([Guest(1, "", "某某"), Guest(2, "female", "李芳")], [Bedroom(10, 2)])
    assert result.unplaced == (1,)
    assert result.rooms == {10: (2,)}


def test_move_and_swap_rules() -> None:
    assert move_problem("female", 2, {7: "female", 8: "female"}, 9) == "room_full"
    assert move_problem("female", 3, {7: "male"}, 9) == "room_other_gender"
    assert move_problem("female", 2, {7: "female", 9: "female"}, 9) is None  # her own bed does not count
    assert swap_problem("female", {2: "female"}, "male", {}) == "room_other_gender"
    assert swap_problem("female", {}, "male", {}) is None

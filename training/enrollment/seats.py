"""Seat, quota and waiting-list rules. Pure: the service applies them under the session's lock.

How quotas and the open pool interact (decided here, documented in docs/enrollment.md):

* A county with a quota (CountyQuota.quota not None) has that many seats reserved for it, and until the session's
  `release_unused_quota_on` date its quota is also its cap: its teachers take quota seats only.
* Counties listed without a quota (quota None) share the open pool: capacity minus every county's unfilled
  reservation, so the pool can never eat a reserved seat.
* From `release_unused_quota_on` on, reservations lapse: any eligible teacher takes any free seat (a quota seat is
  still counted against the county's quota while it has room, so the per-county numbers stay meaningful).
* Capacity always caps everything (a misconfigured session whose quotas exceed capacity still cannot oversell).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class QuotaState:
    county_id: int
    quota: int | None
    taken: int

    @property
    def unfilled(self) -> int:
        return max(0, self.quota - self.taken) if self.quota is not None else 0

    @property
    def has_room(self) -> bool:
        return self.quota is not None and self.taken < self.quota


@dataclass(frozen=True)
class SeatDecision:
    """seat: a seat can be taken; quota: it counts against the county's quota."""

    seat: bool
    quota: bool = False


def quotas_released(release_on: date | None, today: date) -> bool:
    return release_on is not None and today >= release_on


def reserved_unfilled(quotas: Iterable[QuotaState]) -> int:
    return sum(q.unfilled for q in quotas)


def decide_seat(
    *,
    capacity: int,
    seats_taken: int,
    county: QuotaState,
    all_quotas: Sequence[QuotaState],
    released: bool,
) -> SeatDecision:
    """Whether a teacher of `county` gets a seat now (seats_taken excludes them)."""
    if seats_taken >= capacity:
        return SeatDecision(False)
    if released:
        return SeatDecision(True, quota=county.has_room)
    if county.quota is not None:
        return SeatDecision(county.has_room, quota=county.has_room)
    # Open pool: what is left once every county's unfilled reservation is set aside.
    return SeatDecision(seats_taken + reserved_unfilled(all_quotas) < capacity)


def seats_left(
    *, capacity: int, seats_taken: int, county: QuotaState, all_quotas: Sequence[QuotaState], released: bool
) -> int:
    """How many more teachers of this county could get a seat right now (for the public list)."""
    free = max(0, capacity - seats_taken)
    if released:
        return free
    if county.quota is not None:
        return min(free, county.unfilled)
    return max(0, capacity - seats_taken - reserved_unfilled(all_quotas))


@dataclass(frozen=True)
class Waiting:
    enrollment_id: int
    county_id: int
    seq: int


def promotion_order(
    waiting: Sequence[Waiting], freed_county: int | None, freed_county_under_quota: bool
) -> list[Waiting]:
    """Whom to try, in order, when a seat frees up: the freeing county's first waiting teacher while that county is
    under quota, then everyone else by their place in the queue. Only each county's first waiting teacher is a
    candidate (the rules treat teachers of one county alike), so the caller tries at most one per county."""
    firsts: dict[int, Waiting] = {}
    for w in sorted(waiting, key=lambda w: w.seq):
        firsts.setdefault(w.county_id, w)
    ordered = sorted(firsts.values(), key=lambda w: w.seq)
    if freed_county is not None and freed_county_under_quota and freed_county in firsts:
        first = firsts[freed_county]
        ordered.remove(first)
        ordered.insert(0, first)
    return ordered


def waitlist_position(seq: int, earlier_seqs: Iterable[int]) -> int:
    """1-based position: how many wait ahead of this seq, plus one."""
    return 1 + sum(1 for s in earlier_seqs if s < seq)

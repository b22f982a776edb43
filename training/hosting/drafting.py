"""The automatic first draft of a cohort's pairing: each exchange teacher with a mentor of the host city. Pure.

Rules, in order:
1. A teacher is only paired with a mentor of her subject (a mathematics teacher shadows a mathematics mentor);
   a teacher whose subject no mentor with room teaches stays unmatched and is listed.
2. Among those, a mentor of her grade band first (a primary teacher with a primary mentor): every teacher who can
   have one gets one before anybody is paired across grade bands.
3. A mentor never takes more teachers than her capacity, counting the pairings the cohort already has (organisers'
   manual choices are kept; the draft pairs only the teachers still without a mentor).
4. Among equal mentors, the one with the most room left (so teachers spread over mentors and schools), then the
   lowest id: the same input always gives the same draft.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TeacherNeed:
    enrollment_id: int
    subject: str
    grade_band: str


@dataclass(frozen=True, slots=True)
class MentorSlot:
    mentor_id: int
    school_id: int
    subject: str
    grade_band: str
    capacity: int
    taken: int = 0  # teachers of this cohort already paired with her


@dataclass(frozen=True, slots=True)
class Match:
    enrollment_id: int
    mentor_id: int
    school_id: int
    same_band: bool


@dataclass(frozen=True)
class Draft:
    matches: list[Match] = field(default_factory=list)
    unmatched: list[int] = field(default_factory=list)  # enrollment ids left without a mentor


def draft_pairings(teachers: Iterable[TeacherNeed], mentors: Iterable[MentorSlot]) -> Draft:
    """Pair each teacher with a mentor of her subject, her grade band first, within every mentor's capacity."""
    slots = sorted(mentors, key=lambda m: m.mentor_id)
    room = {m.mentor_id: max(0, m.capacity - m.taken) for m in slots}
    waiting = sorted(teachers, key=lambda t: t.enrollment_id)
    matches: list[Match] = []
    for same_band in (True, False):
        left: list[TeacherNeed] = []
        for teacher in waiting:
            chosen = _best(teacher, slots, room, same_band)
            if chosen is None:
                left.append(teacher)
                continue
            room[chosen.mentor_id] -= 1
            matches.append(
                Match(
                    teacher.enrollment_id,
                    chosen.mentor_id,
                    chosen.school_id,
                    chosen.grade_band == teacher.grade_band,
                )
            )
        waiting = left
    return Draft(matches=matches, unmatched=[t.enrollment_id for t in waiting])


def _best(
    teacher: TeacherNeed, slots: list[MentorSlot], room: dict[int, int], same_band: bool
) -> MentorSlot | None:
    best: MentorSlot | None = None
    for mentor in slots:
        if room[mentor.mentor_id] <= 0 or mentor.subject != teacher.subject:
            continue
        if same_band and mentor.grade_band != teacher.grade_band:
            continue
        if best is None or room[mentor.mentor_id] > room[best.mentor_id]:
            best = mentor
    return best

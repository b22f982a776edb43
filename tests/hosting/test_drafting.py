"""The pairing draft (pure): capacity never exceeded, subject always matched, grade band first, the unmatched
listed, every teacher exactly once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from training.hosting.drafting import MentorSlot, TeacherNeed, draft_pairings

SUBJECTS = ("语文", "数学", "英语")
BANDS = ("primary", "junior", "senior")

teachers_strategy = st.lists(st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(BANDS)), max_size=30).map(
    lambda items: [TeacherNeed(i + 1, s, b) for i, (s, b) in enumerate(items)]
)
mentors_strategy = st.lists(
    st.tuples(
        st.sampled_from(SUBJECTS),
        st.sampled_from(BANDS),
        st.integers(min_value=0, max_value=4),
        st.integers(min_value=0, max_value=4),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=12,
).map(
    lambda items: [
        MentorSlot(100 + i, school, s, b, capacity, min(taken, capacity))
        for i, (s, b, capacity, taken, school) in enumerate(items)
    ]
)


@settings(max_examples=300, deadline=None)
@given(teachers_strategy, mentors_strategy)
def test_the_draft_respects_capacity_subject_and_grade_band_first(
    teachers: list[TeacherNeed], mentors: list[MentorSlot]
) -> None:
    draft = draft_pairings(teachers, mentors)
    by_id = {t.enrollment_id: t for t in teachers}
    mentor_by_id = {m.mentor_id: m for m in mentors}

    # every teacher exactly once: matched or listed as unmatched
    matched_ids = [m.enrollment_id for m in draft.matches]
    assert sorted(matched_ids + draft.unmatched) == sorted(by_id)
    assert len(set(matched_ids)) == len(matched_ids)

    # a mentor's capacity is never exceeded (counting the pairings she already had)
    load = {m.mentor_id: m.taken for m in mentors}
    for match in draft.matches:
        load[match.mentor_id] += 1
    assert all(load[i] <= mentor_by_id[i].capacity for i in load)

    # subject first: a teacher is only ever paired with a mentor of her subject, at the mentor's school
    for match in draft.matches:
        mentor, teacher = mentor_by_id[match.mentor_id], by_id[match.enrollment_id]
        assert mentor.subject == teacher.subject
        assert match.school_id == mentor.school_id
        assert match.same_band == (mentor.grade_band == teacher.grade_band)

    room = {i: mentor_by_id[i].capacity - load[i] for i in load}
    # then grade band: nobody is paired across grade bands while a mentor of her subject and band has room
    for match in draft.matches:
        teacher = by_id[match.enrollment_id]
        if not match.same_band:
            assert not any(
                room[m.mentor_id] > 0 and m.subject == teacher.subject and m.grade_band == teacher.grade_band
                for m in mentors
            )
    # the unmatched: no mentor of their subject has room left
    for enrollment_id in draft.unmatched:
        teacher = by_id[enrollment_id]
        assert not any(room[m.mentor_id] > 0 and m.subject == teacher.subject for m in mentors)


def test_the_draft_prefers_the_grade_band_and_spreads_teachers() -> None:
    mentors = [
        MentorSlot(1, 10, "数学", "junior", 2),
        MentorSlot(2, 10, "数学", "primary", 1),
        MentorSlot(3, 11, "数学", "primary", 1),
    ]
    teachers = [
        TeacherNeed(1, "数学", "primary"),
        TeacherNeed(2, "数学", "primary"),
        TeacherNeed(3, "数学", "primary"),
    ]
    draft = draft_pairings(teachers, mentors)
    assert [(m.enrollment_id, m.mentor_id) for m in draft.matches] == [(1, 2), (2, 3), (3, 1)]
    assert [m.same_band for m in draft.matches] == [True, True, False]
    assert draft.unmatched == []
    assert draft_pairings([TeacherNeed(9, "英语", "primary")], mentors).unmatched == [9]

from hypothesis import given
from hypothesis import strategies as st

from training.certificates.eligibility import attended_hours, decide, threshold_hours


def test_exactly_at_the_threshold_is_eligible() -> None:
    decision = decide(18.0, 18.0)
    assert decision.status == "eligible" and decision.eligible and decision.shortfall == 0.0


def test_just_below_the_threshold_is_short_by_the_difference() -> None:
    decision = decide(17.5, 18.0)
    assert decision.status == "short" and not decision.eligible
    assert decision.shortfall == 0.5


def test_float_sums_that_land_on_the_threshold_count() -> None:
    hours = attended_hours([(0.1, False)] * 180)  # 17.999999999999... in binary floating point
    assert decide(hours, 18.0).eligible


def test_granted_exception_makes_a_short_teacher_eligible() -> None:
    decision = decide(6.0, 18.0, exception=True)
    assert decision.status == "granted" and decision.eligible and decision.shortfall == 12.0


def test_denied_exception_withholds_even_with_enough_hours() -> None:
    decision = decide(24.0, 18.0, exception=False)
    assert decision.status == "denied" and not decision.eligible


def test_cancelled_blocks_count_nothing() -> None:
    assert attended_hours([(3.0, False), (3.0, True), (1.5, False)]) == 4.5


def test_threshold_prefers_hours_then_percent_then_full_timetable() -> None:
    assert threshold_hours(18.0, 50.0, 24.0) == 18.0
    assert threshold_hours(None, 75.0, 24.0) == 18.0
    assert threshold_hours(None, None, 24.0) == 24.0


hours = st.floats(min_value=0, max_value=200, allow_nan=False)


@given(attended=hours, extra=st.floats(min_value=0, max_value=50, allow_nan=False), threshold=hours)
def test_more_hours_never_take_a_certificate_away(attended: float, extra: float, threshold: float) -> None:
    if decide(attended, threshold).eligible:
        assert decide(attended + extra, threshold).eligible


@given(attended=hours, threshold=hours)
def test_shortfall_is_exactly_what_is_missing(attended: float, threshold: float) -> None:
    decision = decide(attended, threshold)
    assert decision.eligible == (decision.shortfall == 0.0)
    if not decision.eligible:
        assert abs(decision.attended_hours + decision.shortfall - threshold) < 1e-9

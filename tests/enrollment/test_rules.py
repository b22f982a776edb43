"""The pure rules: every validation code, the registration window, quota/pool seat decisions, promotion order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.enrollment.factory import id_number, registration
from training.enrollment.rules import validate, window_problem
from training.enrollment.seats import (
    QuotaState,
    SeatDecision,
    Waiting,
    decide_seat,
    promotion_order,
    seats_left,
    waitlist_position,
)

TODAY = date(2027, 5, 20)


def _errors(**overrides: str) -> dict[str, str]:
    values = {k: str(v) for k, v in registration(7, 1).items()}
    values.update(overrides)
    _, errors = validate(values, today=TODAY, eligible_county_ids={7, 8})
    return errors


def test_a_complete_registration_is_valid_and_normalised() -> None:
    values = registration(
        7, 1, id_number=id_number().lower()[:-1] + id_number()[-1].lower(), phone="+86 139-0000-0001"
    )
    reg, errors = validate(values, today=TODAY, eligible_county_ids={7})
    assert errors == {} and reg is not None
    assert reg.id_number == id_number() and reg.phone == "13900000001" and reg.birth_date == date(1985, 3, 7)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "", "required"),
        ("name", "张" * 33, "too_long"),
        ("name", "张\x07三", "invalid_text"),
        ("id_number", "51082319850307", "id_format"),
        ("id_number", id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1"), "id_checksum"),
        ("id_number", "510823198502300011", "id_birth_date"),  # 30 February
        ("gender", "male", "gender_mismatch"),  # the ID number's sequence digit is even: female
        ("gender", "other", "invalid_choice"),
        ("ethnicity", "火星族", "invalid_choice"),
        ("phone", "12345678901", "mobile_invalid"),
        ("phone", "1390000000", "mobile_invalid"),
        ("email", "teacher@", "email_invalid"),
        ("email", "a b@example.org", "email_invalid"),
        ("county", "9", "county_not_eligible"),
        ("county", "剑阁县", "invalid_choice"),
        ("school", "", "required"),
        ("subject", "", "required"),
        ("grade_band", "university", "invalid_choice"),
        ("title", "教授", "invalid_choice"),
        ("years_teaching", "x", "invalid_number"),
        ("years_teaching", "51", "years_out_of_range"),
        ("years_teaching", "30", "years_exceed_age"),  # born 1985: at most 27 years in 2027
        ("consent", "", "consent_required"),
    ],
)
def test_every_rule_has_its_own_code(field: str, value: str, code: str) -> None:
    assert _errors(**{field: value}).get(field) == code


def test_a_birth_date_in_the_future_is_refused() -> None:
    future = "510823" + "20300101" + "002"
    from training.people.identity import check_digit

    assert _errors(id_number=future + check_digit(future))["id_number"] == "id_birth_date"


def test_the_registration_window() -> None:
    now = datetime(2027, 5, 20, 8, tzinfo=UTC)
    hour = timedelta(hours=1)
    common = {"status": "published", "mode": "open", "opens_at": now - hour, "closes_at": now + hour}
    assert window_problem(**common, now=now) is None
    assert window_problem(**{**common, "opens_at": now + hour}, now=now) == "registration_not_open"
    assert window_problem(**{**common, "closes_at": now}, now=now) == "registration_closed"
    assert window_problem(**{**common, "status": "draft"}, now=now) == "registration_unavailable"
    assert window_problem(**{**common, "mode": "nomination"}, now=now) == "registration_unavailable"


def _decide(
    taken: int, county: QuotaState, others: list[QuotaState], capacity: int = 10, released: bool = False
) -> SeatDecision:
    return decide_seat(
        capacity=capacity, seats_taken=taken, county=county, all_quotas=[county, *others], released=released
    )


def test_quota_counties_take_only_their_reserved_seats_until_release() -> None:
    full = QuotaState(1, 3, 3)
    other = QuotaState(2, 5, 1)
    assert not _decide(4, full, [other]).seat
    assert _decide(4, full, [other], released=True).seat
    assert _decide(4, full, [other], released=True).quota is False
    assert _decide(4, QuotaState(1, 3, 2), [other]) == _decide(4, QuotaState(1, 3, 2), [other], released=True)


def test_the_open_pool_never_eats_unfilled_reservations() -> None:
    pool_county = QuotaState(3, None, 0)
    quotas = [QuotaState(1, 4, 1), QuotaState(2, 4, 4)]  # 3 seats still reserved for county 1
    assert _decide(6, pool_county, quotas).seat  # 6 taken + 3 reserved < 10
    assert not _decide(7, pool_county, quotas).seat
    assert seats_left(capacity=10, seats_taken=6, county=pool_county, all_quotas=quotas, released=False) == 1
    assert seats_left(capacity=10, seats_taken=6, county=quotas[0], all_quotas=quotas, released=False) == 3
    assert seats_left(capacity=10, seats_taken=6, county=pool_county, all_quotas=quotas, released=True) == 4


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=60), st.integers(1, 12))
def test_applying_decisions_never_passes_capacity_or_a_quota(arrivals: list[int], capacity: int) -> None:
    quotas = {0: 3, 1: 2, 2: None, 3: 4}
    taken = {c: 0 for c in quotas}
    total = 0
    for county in arrivals:
        states = [QuotaState(c, q, taken[c]) for c, q in quotas.items()]
        decision = decide_seat(
            capacity=capacity, seats_taken=total, county=states[county], all_quotas=states, released=False
        )
        if decision.seat:
            total += 1
            taken[county] += 1
    assert total <= capacity
    assert all(q is None or taken[c] <= q for c, q in quotas.items())


def test_promotion_prefers_the_freeing_county_only_while_under_quota() -> None:
    waiting = [Waiting(11, 2, 11), Waiting(12, 1, 12), Waiting(13, 2, 13), Waiting(14, 1, 14)]
    assert [w.enrollment_id for w in promotion_order(waiting, 1, True)] == [12, 11]
    assert [w.enrollment_id for w in promotion_order(waiting, 1, False)] == [11, 12]
    assert waitlist_position(14, [11, 12, 13, 14]) == 4

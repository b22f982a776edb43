from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.core.masking import mask_id_card, mask_name, mask_phone
from training.core.phones import is_valid_mobile
from training.crypto import FieldCipher, derive_key
from training.people.identity import (
    IdCardError,
    check_digit,
    parse_id_card,
)

# The GB 11643-1999 worked example.
VALID = "11010519491231002X"


def test_the_standard_example_is_valid() -> None:
    card = parse_id_card(VALID)
    assert card.birth_date == date(1949, 12, 31)
    assert card.gender == "female"
    assert card.division_code == "110105"


def test_lower_case_x_and_spaces_are_accepted() -> None:
    assert parse_id_card(" 11010519491231002x ").number == VALID


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "checksum"),
        ("1101051949123100", "format"),
        ("11010519491331002X", "birth_date"),
        ("110105210012310028", "birth_date"),
        ("abcdefghijklmnopqr", "format"),
    ],
)
def test_bad_numbers_are_rejected_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(IdCardError) as error:
        parse_id_card(number, today=date(2026, 1, 1))
    assert error.value.reason == reason


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["510823", "513432", "522328"]),
)
def test_any_number_with_the_computed_check_digit_parses(born: date, seq: int, county: str) -> None:
    first17 = f"{county}{born:%Y%m%d}{seq:03d}"
    card = parse_id_card(first17 + check_digit(first17))
    assert card.birth_date == born
    assert card.gender == ("male" if seq % 2 else "female")


@given(st.integers(min_value=0, max_value=16), st.sampled_from("0123456789X"))
def test_changing_one_digit_breaks_the_check(position: int, replacement: str) -> None:
    altered = VALID[:position] + replacement + VALID[position + 1 :]
    if altered == VALID or not replacement.isdigit():
        return
    with pytest.raises(IdCardError):
        parse_id_card(altered)


def test_mobile_numbers() -> None:
    assert is_valid_mobile("13812345678")
    assert is_valid_mobile("+86 138 1234 5678")
    assert not is_valid_mobile("12812345678")
    assert not is_valid_mobile("1381234567")


def test_masks() -> None:
    assert mask_id_card(VALID) == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三梅") == "张*梅"
    assert mask_name("张三") == "张*"
    assert mask_name("阿苦尔日") == "阿**日"


@given(st.text(max_size=40))
def test_field_cipher_round_trips_and_binds_context(plaintext: str) -> None:
    cipher = FieldCipher(derive_key("k" * 40, "test"))
    token = cipher.encrypt(plaintext, "id")
    if len(plaintext) >= 6:
        assert plaintext not in token
    assert cipher.decrypt(token, "id") == plaintext
    with pytest.raises(Exception):  # noqa: B017 - cryptography raises InvalidTag
        cipher.decrypt(token, "phone")

"""What phone keyboards and Excel produce is normalised before it is validated, hashed or stored: full-width
digits and Ｘ (NFKC), separators and +86 in phones, stray spaces inside Han names. Property tests over generated
inputs: every spelling of one ID number, phone or name comes out as one value."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from training.checkin.status import normalize_code as checkin_code
from training.core.codes import normalize_manual_code
from training.core.phones import is_valid_mobile, normalize_mobile
from training.enrollment.rules import validate
from training.people.identity import (
    check_digit,
    name_search_key,
    normalize_id_card,
    normalize_name,
    parse_id_card,
)

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}  # '0' → '０', 'X' → 'Ｘ', '+' → '＋'
SPACES = st.sampled_from([" ", "\u3000", "  ", "\t", "\u00a0"])


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2004, 12, 31)))
    county = draw(st.sampled_from(["510823", "513432", "511622", "110105"]))
    seq = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{county}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


@st.composite
def typed(draw: st.DrawFn, text: str, *, separators: st.SearchStrategy[str] = SPACES) -> str:
    """`text` as a phone keyboard or a spreadsheet may send it: any characters full-width, lower case x, spaces."""
    out = []
    for ch in text:
        if ch == "X" and draw(st.booleans()):
            ch = "x"
        if draw(st.booleans()):
            ch = FULL_WIDTH.get(ch, ch)
        out.append(ch)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(separators))
    return draw(SPACES) * draw(st.integers(0, 1)) + "".join(out)


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.data(), id_numbers())
def test_every_spelling_of_an_id_number_is_the_same_number(data: st.DataObject, number: str) -> None:
    spelled = data.draw(typed(number))
    assert normalize_id_card(spelled) == number
    assert parse_id_card(spelled, today=date(2026, 1, 1)).number == number


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.data(), id_numbers(), st.integers(0, 17))
def test_one_full_width_digit_among_ascii_is_the_same_person(
    data: st.DataObject, number: str, position: int
) -> None:
    mixed = number[:position] + FULL_WIDTH[number[position]] + number[position + 1 :]
    assert normalize_id_card(mixed) == number


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.sampled_from("0123456789")) for _ in range(9))
    )


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.data(), mobiles(), st.sampled_from(["", "+86", "+86 ", "0086", "86", "+86-", "（+86）"]))
def test_every_spelling_of_a_mobile_number_is_the_same_number(
    data: st.DataObject, phone: str, prefix: str
) -> None:
    spelled = data.draw(
        typed(prefix + phone, separators=st.sampled_from([" ", "-", "\u3000", "－", "—", "."]))
    )
    assert normalize_mobile(spelled) == phone
    assert is_valid_mobile(spelled)


HAN = st.sampled_from(list("王芳张三梅李欧阳小明阿依木沙吉克杨娟赵𠮷〇"))


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.data(), st.lists(HAN, min_size=2, max_size=6).map("".join))
def test_spaces_inside_a_han_name_go(data: st.DataObject, name: str) -> None:
    spelled = data.draw(typed(name))
    assert normalize_name(spelled) == name
    assert name_search_key(spelled) == name


LATIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'", min_size=1, max_size=8)


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.lists(LATIN_WORD, min_size=1, max_size=4), st.lists(SPACES, min_size=4, max_size=4))
def test_a_name_in_latin_script_keeps_one_space_between_words(words: list[str], gaps: list[str]) -> None:
    spelled = "".join(w + g for w, g in zip(words, gaps, strict=False)).strip()
    assert normalize_name(spelled) == " ".join(words)
    assert normalize_name(normalize_name(spelled)) == normalize_name(spelled)  # idempotent


def test_names_with_a_separator_dot_lose_the_spaces_around_it() -> None:
    assert normalize_name("阿依 · 木沙") == "阿依·木沙"
    assert normalize_name("王　芳") == "王芳"
    assert normalize_name("Ｍaria  Lopez 王") == "Maria Lopez王"


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.data(), st.text(alphabet="23456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=8, max_size=8))
def test_typed_codes_are_read_whatever_the_keyboard(data: st.DataObject, code: str) -> None:
    spelled = data.draw(typed(code.lower() if data.draw(st.booleans()) else code))
    assert normalize_manual_code(spelled) == code
    assert checkin_code(spelled) == code


@settings(deadline=None)  # no timing in unit tests (a loaded machine made the first example slow)
@given(st.data(), id_numbers(), mobiles(), st.lists(HAN, min_size=2, max_size=4).map("".join))
def test_a_registration_typed_in_full_width_validates_to_the_ascii_one(
    data: st.DataObject, number: str, phone: str, name: str
) -> None:
    def values(id_text: str, phone_text: str, name_text: str) -> dict[str, str]:
        born = parse_id_card(number).birth_date
        return {
            "name": name_text,
            "gender": parse_id_card(number).gender,
            "ethnicity": "汉族",
            "id_number": id_text,
            "phone": phone_text,
            "email": "t@example.org",
            "county": "1",
            "school": "剑阁县实验小学",
            "subject": "数学",
            "grade_band": "primary",
            "title": "一级教师",
            "years_teaching": "0" if born.year > 2000 else "3",
            "consent": "1",
        }

    plain, errors = validate(values(number, phone, name), today=date(2026, 1, 1), eligible_county_ids={1})
    assert errors == {} and plain is not None
    typed_values = values(data.draw(typed(number)), data.draw(typed("+86" + phone)), data.draw(typed(name)))
    spelled, errors = validate(typed_values, today=date(2026, 1, 1), eligible_county_ids={1})
    assert errors == {} and spelled == plain

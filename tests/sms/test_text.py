"""Chinese SMS length rules (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.sms.text import PART, SINGLE, fit, segments, signed_length, units


def test_seventy_characters_with_the_signature_are_one_message() -> None:
    sign = "培训项目组"  # 【培训项目组】 = 7
    assert segments("字" * (SINGLE - 7), sign) == 1
    assert segments("字" * (SINGLE - 6), sign) == 2


def test_a_long_text_splits_into_parts_of_sixty_seven() -> None:
    assert segments("a" * 71) == 2
    assert segments("a" * (2 * PART)) == 2
    assert segments("a" * (2 * PART + 1)) == 3


def test_latin_digits_and_chinese_count_the_same_but_emoji_twice() -> None:
    assert units("abc123") == units("培训班名单") + 1 == 6
    assert units("好😀") == 3
    assert signed_length("好", "签名") == 1 + 4


def test_fit_keeps_the_link_and_cuts_the_body() -> None:
    link = " http://t.example/m/AbCdEfGh"
    text = fit("您报名的第10期暑期教师培训班" * 5, "培训项目组", tail=link)
    assert text.endswith(link)
    assert "…" in text
    assert segments(text, "培训项目组") == 1
    assert signed_length(text, "培训项目组") <= SINGLE


def test_fit_leaves_a_short_text_alone() -> None:
    assert fit("明早8:00签到", "签名", tail=" x") == "明早8:00签到 x"


def test_fit_refuses_a_tail_that_cannot_fit() -> None:
    with pytest.raises(ValueError):
        fit("正文", "签名", tail="x" * 80)


@settings(deadline=None)  # a loaded shared machine must not fail a pure property
@given(st.text(min_size=1, max_size=400), st.integers(min_value=1, max_value=4))
def test_fit_always_fits_the_segment_budget(body: str, parts: int) -> None:
    text = fit(body, "培训项目组", tail=" https://a.cn/m/xyz", max_segments=parts)
    assert segments(text, "培训项目组") <= parts

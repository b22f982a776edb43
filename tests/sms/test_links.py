"""The short self-service link an SMS carries."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from training import keys
from training.core.links import read_link_token
from training.crypto import derive_key
from training.sms.links import make_short_code, read_short_code, short_url

KEY = derive_key("s" * 40, "teacher-link")


@settings(deadline=None)  # a loaded shared machine must not fail a pure property
@given(st.integers(min_value=1, max_value=2**32 - 1))
def test_a_short_code_reads_back_to_its_enrollment(enrollment_id: int) -> None:
    code = make_short_code(KEY, enrollment_id)
    assert len(code) == 12
    assert read_short_code(KEY, code) == enrollment_id


def test_a_forged_or_mangled_code_reads_as_nothing() -> None:
    code = make_short_code(KEY, 42)
    other = derive_key("t" * 40, "teacher-link")
    assert read_short_code(other, code) is None
    assert read_short_code(KEY, code[:-1] + ("A" if code[-1] != "A" else "B")) is None
    assert read_short_code(KEY, code + "A") is None
    assert read_short_code(KEY, "!!!!!!!!!!!!") is None


def test_the_link_fits_an_sms() -> None:
    assert len(short_url("https://px.example.cn", KEY, 123456)) <= 40


def test_the_short_link_opens_the_self_service_page(client: Any) -> None:
    code = make_short_code(keys.current().teacher_link, 77)
    response = client.get(f"/m/{code}", follow_redirects=False)
    assert response.status_code == 303
    token = response.headers["location"].removeprefix("/me/")
    assert read_link_token(keys.current().teacher_link, token) == 77
    assert client.get(f"/m/{code[:-1]}x", follow_redirects=False).status_code == 404

"""Pure parts of check-in: QR token signing and tampering (property-based), the status decision table."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as s

from training.checkin import status as st
from training.core.codes import new_manual_code
from training.core.tokens import TOKEN_LENGTH, make_token, read_token

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
ids = s.integers(min_value=1, max_value=2**32 - 1)


@given(ids)
def test_a_token_reads_back_to_its_enrollment_and_fits_a_small_qr(enrollment_id: int) -> None:
    token = make_token(KEY, enrollment_id)
    assert len(token) == TOKEN_LENGTH == 22
    assert set(token) <= QR_ALPHANUMERIC
    assert read_token(KEY, token) == enrollment_id
    assert read_token(KEY, " " + token.lower() + "\n") == enrollment_id  # scanners and people
    assert st.code_kind(st.normalize_code(token)) == "token"


@given(ids, s.data())
@settings(max_examples=300)
def test_any_altered_character_is_rejected(enrollment_id: int, data: s.DataObject) -> None:
    token = make_token(KEY, enrollment_id)
    position = data.draw(s.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(
        s.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").filter(lambda c: c != token[position])
    )
    altered = token[:position] + replacement + token[position + 1 :]
    assert read_token(KEY, altered) is None


@given(ids)
def test_a_token_signed_with_another_key_is_rejected(enrollment_id: int) -> None:
    assert read_token(KEY, make_token(OTHER_KEY, enrollment_id)) is None


@given(ids, ids)
def test_the_id_of_one_token_cannot_be_moved_onto_another_mac(a: int, b: int) -> None:
    if a == b:
        return
    raw_a = base64.b32decode(make_token(KEY, a)[2:] + "====")
    raw_b = base64.b32decode(make_token(KEY, b)[2:] + "====")
    spliced = "TC" + base64.b32encode(raw_b[:4] + raw_a[4:]).decode().rstrip("=")
    assert read_token(KEY, spliced) is None


@given(s.text(max_size=40))
def test_arbitrary_text_is_never_a_token(text: str) -> None:
    result = read_token(KEY, text)
    assert result is None or make_token(KEY, result) == text.strip().upper()


@given(s.randoms())
def test_manual_codes_normalise_as_people_type_them(rng: object) -> None:
    code = new_manual_code(rng)  # type: ignore[arg-type]
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert st.normalize_code(typed) == code
    assert st.code_kind(code) == "manual"


BLOCK = st.BlockFacts(session_id=1, day=date(2019, 7, 15), cancelled=False)
DAY = date(2019, 7, 15)


def test_the_status_decision_table() -> None:
    confirmed = st.EnrollmentFacts(session_id=1, status="confirmed")
    assert st.verdict(BLOCK, confirmed, DAY, already=False) == "ok"
    assert st.verdict(BLOCK, confirmed, DAY, already=True) == "already_checked_in"
    assert st.verdict(None, confirmed, DAY, already=False) == "wrong_block"
    assert st.verdict(st.BlockFacts(1, DAY, True), confirmed, DAY, already=False) == "wrong_block"
    assert st.verdict(BLOCK, confirmed, DAY + timedelta(days=1), already=False) == "wrong_block"
    assert st.verdict(BLOCK, None, DAY, already=False) == "not_enrolled"
    assert st.verdict(BLOCK, st.EnrollmentFacts(2, "confirmed"), DAY, already=False) == "wrong_session"
    for status, answer in {
        "cancelled": "cancelled",
        "waitlisted": "waitlisted",
        "pending": "unapproved",
        "nominated": "unapproved",
        "rejected": "rejected",
        "something-new": "invalid",
    }.items():
        assert st.verdict(BLOCK, st.EnrollmentFacts(1, status), DAY, already=True) == answer


def test_scan_times_from_the_future_or_without_zone_fall_back_to_now() -> None:
    now = datetime(2019, 7, 15, 1, 0, tzinfo=UTC)
    assert st.effective_scan_time(now - timedelta(hours=2), now) == now - timedelta(hours=2)
    assert st.effective_scan_time(now + timedelta(minutes=5), now) == now + timedelta(minutes=5)
    assert st.effective_scan_time(now + timedelta(hours=1), now) == now
    assert st.effective_scan_time(datetime(2019, 7, 15, 0, 0), now) == now
    assert st.effective_scan_time(None, now) == now


def test_roster_digest_is_salted_sha256_as_the_browser_computes_it() -> None:
    expected = base64.urlsafe_b64encode(hashlib.sha256(b"salt|ABCD2345").digest()[:16]).decode().rstrip("=")
    assert st.roster_digest("salt", "ABCD2345") == expected
    assert st.roster_digest("other", "ABCD2345") != expected


def test_the_current_block_is_the_one_running_or_about_to_start_today() -> None:
    from datetime import time

    from training.checkin.choices import BlockChoice, current_block_id

    def block(id_: int, start: int, end: int, on: date = DAY, cancelled: bool = False) -> BlockChoice:
        return BlockChoice(id_, 1, on, "morning", time(start), time(end), "", cancelled)

    blocks = [
        block(1, 8, 11),
        block(2, 14, 17),
        block(3, 8, 11, DAY + timedelta(days=1)),
        block(4, 19, 21, cancelled=True),
    ]

    def at(hh: int, mm: int = 0) -> datetime:
        return datetime(2019, 7, 15, hh, mm)

    assert current_block_id(blocks, at(6)) == 1  # early: the first block of the day
    assert current_block_id(blocks, at(7, 30)) == 1
    assert current_block_id(blocks, at(10, 59)) == 1
    assert current_block_id(blocks, at(12)) == 2  # lunch: the afternoon block is next
    assert current_block_id(blocks, at(13, 15)) == 2
    assert current_block_id(blocks, at(18)) is None  # the evening block is cancelled


def test_a_generation_rides_in_the_spare_bits_and_is_signed() -> None:
    from training.core.tokens import generation_of, read_token_generation

    first, second = make_token(KEY, 77), make_token(KEY, 77, 3)
    assert len(second) == TOKEN_LENGTH and first != second
    assert read_token_generation(KEY, first) == (77, 0) and read_token_generation(KEY, second) == (77, 3)
    # flipping the generation bits without the key gives no valid code
    forged = second[:-1] + ("A" if second[-1] != "A" else "B")
    assert read_token_generation(KEY, forged) in (None, (77, 3)) and forged != second
    assert read_token(KEY, forged) is None
    assert [generation_of(n) for n in ("", "3", "15", "16", "withdrawn")] == [0, 3, 15, None, None]

"""The test kit itself: its fake ID numbers are valid and distinct, and binding a database forgets every
per-process cache keyed by another database's rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.kit import world as kit
from tests.kit.state import forget_process_state
from training.accounts import service as accounts_service
from training.accounts import tokens
from training.certificates import batch, printing
from training.checkin import assignments
from training.config import Settings
from training.people.identity import parse_id_card
from training.sms import state as sms_state


def test_fake_id_numbers_are_valid_and_distinct() -> None:
    numbers = [kit.id_number(n=n, female=n % 2 == 0) for n in range(1, 3000)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[::37]:
        assert parse_id_card(number).number == number


def test_binding_a_database_forgets_caches_keyed_by_rows(settings: Settings) -> None:
    assignments._by_user[1] = (0.0, frozenset({1}))
    assignments._block_session[1] = 1
    tokens._cache["digest"] = (0.0, None)
    accounts_service._session_cache["hash"] = (0.0, {})
    stale: Any = object()
    printing._runs[1] = stale
    batch._runs[1] = stale
    forget_process_state(replace(settings, sms_provider="none"))
    assert not assignments._by_user and not assignments._block_session
    assert not tokens._cache and not accounts_service._session_cache
    assert not printing._runs and not batch._runs
    assert not sms_state.enabled()


async def test_serials_start_again_for_every_test(adb: Any) -> None:
    assert kit.serial() == 1
    county_id = await kit.county()
    teacher_id = await kit.teacher(county_id)
    session_id = await kit.session(await kit.programme())
    assert await kit.enrollment(session_id, teacher_id) > 0

import asyncio

import pytest

from training import ratelimit
from training.errors import RateLimited


async def test_a_burst_across_a_window_boundary_is_still_limited(adb: object) -> None:
    boundary = 1_000_200.0  # a multiple of 300
    for second in (boundary - 3, boundary - 2, boundary - 1):
        await ratelimit.hit("t", "k", 4, 300, now=second)
    await ratelimit.hit("t", "k", 4, 300, now=boundary + 1)
    with pytest.raises(RateLimited):
        await ratelimit.hit("t", "k", 4, 300, now=boundary + 2)


async def test_the_limit_lifts_once_the_window_has_passed(adb: object) -> None:
    for _ in range(3):
        await ratelimit.hit("t", "k", 3, 60, now=600.0)
    with pytest.raises(RateLimited):
        await ratelimit.hit("t", "k", 3, 60, now=601.0)
    assert await ratelimit.hit("t", "k", 3, 60, now=721.0) == 1


async def test_concurrent_first_hits_count_every_attempt(adb: object) -> None:
    results = await asyncio.gather(
        *(ratelimit.hit("t", "same", 100, 60, now=60.0) for _ in range(20)), return_exceptions=True
    )
    assert sorted(results) == list(range(1, 21))


async def test_keys_are_not_stored_in_plain_text(adb: object) -> None:
    from training.ratelimit import RateLimitHit

    await ratelimit.hit("login_ip", "203.0.113.7", 10, 60)
    rows = await RateLimitHit.select(RateLimitHit.key)
    assert rows and "203.0.113.7" not in rows[0]["key"]


def test_effective_count_weights_the_previous_window() -> None:
    assert ratelimit.effective_count(1, 10, 0, 100) == 11
    assert ratelimit.effective_count(1, 10, 50, 100) == 6
    assert ratelimit.effective_count(1, 10, 100, 100) == 1

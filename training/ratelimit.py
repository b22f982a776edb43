"""Rate limits stored in the database, so every worker process shares them: infrastructure below the domains (log-in
throttling, contact codes, look-ups, certificate verification all count here).

Sliding-window approximation: the current fixed window's count plus the previous window's count weighted by how
much of it still overlaps the last `window_s` seconds. Unlike a plain fixed window, an attacker gains nothing by
straddling a window boundary, and a test's burst never lands on a reset by chance.
"""

from __future__ import annotations

import time

from piccolo.columns import Integer, Serial, Varchar
from piccolo.table import Table

from training import db, keys
from training.crypto import keyed_hash
from training.errors import RateLimited


class RateLimitHit(Table, tablename="rate_limit_hit"):
    """Fixed-window counters shared by every worker: (bucket, key, window) → hits."""

    id: Serial
    bucket = Varchar(length=32)
    key = Varchar(length=64)
    window_start = Integer()  # unix seconds
    hits = Integer(default=0)

    # UNIQUE (bucket, key, window_start): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)


def _hashed(key: str) -> str:
    # Keyed, so stored rows reveal neither IP addresses nor ID numbers (an IPv4 space is small enough to brute-force).
    return keyed_hash(keys.current().id_hash, "ratelimit:" + key)[:32]


def effective_count(current: int, previous: int, elapsed_in_window: float, window_s: int) -> float:
    """Pure: the sliding-window estimate of attempts in the last window_s seconds."""
    overlap = max(0.0, 1.0 - elapsed_in_window / window_s)
    return current + previous * overlap


async def hit(
    bucket: str, key: str, limit: int, window_s: int, *, now: float | None = None, cost: int = 1
) -> int:
    """Count one attempt (weighing `cost`); raise RateLimited when more than `limit` fall in the last `window_s`
    seconds. Returns the weight counted in the current fixed window."""
    now = time.time() if now is None else now
    window = int(now // window_s) * window_s
    hashed = _hashed(key)
    async with db.transaction():
        rows = await db.fetch(
            'INSERT INTO "rate_limit_hit" ("bucket", "key", "window_start", "hits") VALUES ({}, {}, {}, {}) '
            'ON CONFLICT ("bucket", "key", "window_start") DO UPDATE SET "hits" = "rate_limit_hit"."hits" + {} '
            'RETURNING "hits"',
            bucket,
            hashed,
            window,
            cost,
            cost,
        )
        count = int(rows[0]["hits"])
        previous_rows = await db.fetch(
            'SELECT "hits" FROM "rate_limit_hit" WHERE "bucket" = {} AND "key" = {} AND "window_start" = {}',
            bucket,
            hashed,
            window - window_s,
        )
        previous = int(previous_rows[0]["hits"]) if previous_rows else 0
        if count == cost:  # first hit of a window: prune this bucket's windows nobody will read again
            await RateLimitHit.delete().where(
                (RateLimitHit.bucket == bucket) & (RateLimitHit.window_start < window - window_s)
            )
    if effective_count(count, previous, now - window, window_s) > limit:
        raise RateLimited()
    return count


async def reset(bucket: str, key: str) -> None:
    await RateLimitHit.delete().where((RateLimitHit.bucket == bucket) & (RateLimitHit.key == _hashed(key)))


async def refund(bucket: str, key: str, window_s: int, *, now: float | None = None, amount: int = 1) -> None:
    """Take back weight counted in the current window (an attempt that turned out to weigh less, e.g. a right
    password: counting the worst case first and refunding keeps parallel attempts from slipping past the limit)."""
    now = time.time() if now is None else now
    window = int(now // window_s) * window_s
    await db.fetch(
        'UPDATE "rate_limit_hit" SET "hits" = CASE WHEN "hits" > {} THEN "hits" - {} ELSE 0 END '
        'WHERE "bucket" = {} AND "key" = {} AND "window_start" = {}',
        amount,
        amount,
        bucket,
        _hashed(key),
        window,
    )

"""Fixed-window rate limits stored in the database, so every worker process shares them."""

from __future__ import annotations

import time

from training import db
from training.accounts.tables import RateLimitHit
from training.crypto import keyed_hash
from training.errors import RateLimited


async def hit(bucket: str, key: str, limit: int, window_s: int, *, now: float | None = None) -> int:
    """Count one attempt; raise RateLimited past `limit` in the current window. Returns the count.

    The key is hashed (it may be an IP address or an ID number) so nothing sensitive is stored.
    """
    now = time.time() if now is None else now
    window = int(now // window_s) * window_s
    hashed = keyed_hash(b"ratelimit", key)[:32]
    async with db.write_transaction():
        rows = await db.raw(
            'UPDATE "rate_limit_hit" SET "hits" = "hits" + 1 '
            'WHERE "bucket" = {} AND "key" = {} AND "window_start" = {} RETURNING "hits"',
            bucket,
            hashed,
            window,
        )
        if rows:
            count = int(rows[0]["hits"])
        else:
            await RateLimitHit.insert(RateLimitHit(bucket=bucket, key=hashed, window_start=window, hits=1))
            count = 1
        # Old windows are useless: prune this bucket's expired rows opportunistically.
        if count == 1:
            await RateLimitHit.delete().where(
                (RateLimitHit.bucket == bucket) & (RateLimitHit.window_start < window - window_s)
            )
    if count > limit:
        raise RateLimited()
    return count


async def reset(bucket: str, key: str) -> None:
    hashed = keyed_hash(b"ratelimit", key)[:32]
    await RateLimitHit.delete().where((RateLimitHit.bucket == bucket) & (RateLimitHit.key == hashed))

"""Wrong-password throttling that slows a guesser without locking the owner out.

- Per (user name, client address) pair: the first FREE_FAILURES wrong passwords cost nothing; after that each one
  makes the pair wait before its next try, doubling from FIRST_DELAY_S up to MAX_DELAY_S. Another address (the owner at her
  desk, a colleague) is not affected, so nobody can lock an account by guessing at it from elsewhere.
- An attempt is counted before the password is checked and forgiven when it was right (a success deletes the
  pair's row): parallel guesses from one pair cannot slip past the count, and successful log-ins never count.
- Per address across all user names (password spraying): ADDRESS_LIMIT wrong passwords per ADDRESS_WINDOW_S, in
  the shared rate-limit table; right passwords are refunded, so an office of staff behind one NAT is not blocked.
- An organiser unblocks a user (every address) with `training users unblock NAME` or on /admin/login-blocks.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from training import db, keys, ratelimit
from training.accounts.tables import LoginThrottle
from training.crypto import keyed_hash
from training.errors import DomainError
from training.i18n import N_, register_messages

register_messages(
    {
        "login_delayed": N_(
            "Too many wrong passwords for this user from here. Wait {seconds} seconds and try again; an organiser "
            "can lift this at once."
        ),
    }
)

FREE_FAILURES = 5
FIRST_DELAY_S = 30  # an owner who mistyped five times waits half a minute; a guesser gets ~12 tries an hour
MAX_DELAY_S = 15 * 60
FORGET_AFTER_S = 24 * 3600  # a pair's count starts again after a day without attempts
ADDRESS_LIMIT = 50
ADDRESS_WINDOW_S = 15 * 60


class LoginDelayed(DomainError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("login_delayed", params={"seconds": retry_after})
        self.retry_after = retry_after


def delay_after(failures: int) -> int:
    """Pure: seconds a pair waits after its `failures`-th wrong password in a row."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** min(failures - FREE_FAILURES, 20)))


def address_hint(address: str) -> str:
    """Pure: an address with its host part hidden (203.0.113.x, 2001:db8:1:2::/64), for the unblock page."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "?"
    if parsed.version == 4:
        return ".".join(str(parsed).split(".")[:3]) + ".x"
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


_SELECT_SQLITE = (
    'SELECT "failures", "last_attempt_at", "next_allowed_at" FROM "login_throttle" WHERE "pair_key" = {}'
)
# PostgreSQL: the row lock makes parallel attempts of one pair wait for each other (SQLite: the write transaction).
_SELECT_POSTGRES = _SELECT_SQLITE + " FOR UPDATE"


def _pair_key(username: str, address: str) -> str:
    return keyed_hash(keys.current().id_hash, f"login-pair:{username}\x00{address}")[:48]


@dataclass(frozen=True)
class Attempt:
    username: str
    address: str
    pair_key: str


async def begin(username: str, address: str, *, now: float | None = None) -> Attempt:
    """Count an attempt before the password is checked; LoginDelayed if this pair must wait, RateLimited if the
    address has sent too many wrong passwords lately."""
    now_s = int(time.time() if now is None else now)
    username = username.strip().lower()
    key = _pair_key(username, address)
    select = _SELECT_SQLITE if db.is_sqlite(db.current_engine()) else _SELECT_POSTGRES
    async with db.transaction():
        await db.fetch(
            'INSERT INTO "login_throttle" ("pair_key", "username", "address_hint", "failures", "last_attempt_at", '
            '"next_allowed_at") VALUES ({}, {}, {}, 0, {}, 0) ON CONFLICT ("pair_key") DO NOTHING',
            key,
            username[:64],
            address_hint(address),
            now_s,
        )
        rows = await db.fetch(select, key)
        row = rows[0]
        if now_s < int(row["next_allowed_at"]):
            raise LoginDelayed(int(row["next_allowed_at"]) - now_s)
        failures = 0 if now_s - int(row["last_attempt_at"]) > FORGET_AFTER_S else int(row["failures"])
        failures += 1
        await db.fetch(
            'UPDATE "login_throttle" SET "failures" = {}, "last_attempt_at" = {}, "next_allowed_at" = {} '
            'WHERE "pair_key" = {}',
            failures,
            now_s,
            now_s + delay_after(failures),
            key,
        )
    await ratelimit.hit("login_fail_ip", address, ADDRESS_LIMIT, ADDRESS_WINDOW_S, now=now)
    return Attempt(username, address, key)


async def succeeded(attempt: Attempt, *, now: float | None = None) -> None:
    """The password was right: the attempt was not a failure."""
    await LoginThrottle.delete().where(LoginThrottle.pair_key == attempt.pair_key)
    await ratelimit.refund("login_fail_ip", attempt.address, ADDRESS_WINDOW_S, now=now)


@dataclass(frozen=True)
class Block:
    username: str
    address_hint: str
    failures: int
    wait_s: int


async def blocks(*, now: float | None = None) -> list[Block]:
    """Pairs that must wait now, or have failed past the free allowance in the last day (for organisers)."""
    now_s = int(time.time() if now is None else now)
    rows = (
        await LoginThrottle.select()
        .where(
            (LoginThrottle.failures >= FREE_FAILURES)
            & (LoginThrottle.last_attempt_at > now_s - FORGET_AFTER_S)
        )
        .order_by(LoginThrottle.username)
    )
    return [
        Block(r["username"], r["address_hint"], int(r["failures"]), max(0, int(r["next_allowed_at"]) - now_s))
        for r in rows
    ]


async def unblock(username: str) -> int:
    """Forget every wrong password counted against this user name (all addresses); returns the pairs cleared."""
    username = username.strip().lower()
    rows = await LoginThrottle.select(LoginThrottle.id).where(LoginThrottle.username == username)
    await LoginThrottle.delete().where(LoginThrottle.username == username)
    return len(rows)

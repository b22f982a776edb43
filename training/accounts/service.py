"""Staff accounts and log-in sessions."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from training import db
from training.accounts import throttle
from training.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from training.accounts.states import Role
from training.accounts.tables import ROLES, LoginSession, StaffUser
from training.core.actor import Actor
from training.errors import Conflict, ValidationFailed
from training.i18n import N_, register_messages

SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE_TIMEOUT = timedelta(hours=2)
# Session rows looked up in the last few seconds are reused without a query (one round trip saved on every staff
# request, the largest share of a scan after the scan itself). Log-out and password changes clear this process's
# copy at once; changes made elsewhere (another server process, `training users`) take effect within this time.
SESSION_CACHE_SECONDS = 5.0
_SESSION_CACHE_SIZE = 2048
_session_cache: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

register_messages(
    {
        "password_too_short": N_("The password must be at least 10 characters long."),
        "password_contains_username": N_("The password must not contain the user name."),
        "password_too_simple": N_("The password is too simple."),
        "invalid_credentials": N_("Wrong user name or password."),
        "username_taken": N_("This user name is already taken."),
        "invalid_role": N_("Unknown role."),
        "coordinator_needs_county": N_("A county coordinator needs a county."),
        "host_needs_city": N_("A host coordinator needs a host city."),
        "cannot_deactivate_self": N_("You cannot deactivate your own account."),
    }
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_username(username: str) -> str:
    """User names are case-insensitive: stored and compared lower-cased (a phone keyboard types "Scanner")."""
    return username.strip().lower()


async def find_user(username: str, *, active_only: bool = False) -> dict[str, Any] | None:
    """The account whose name matches case-insensitively (names made before they were lower-cased included)."""
    rows = await db.fetch(
        'SELECT * FROM "staff_user" WHERE lower("username") = {} ORDER BY "id"', normalise_username(username)
    )
    if active_only:
        rows = [r for r in rows if r["active"]]
    return rows[0] if rows else None


def _principal(user: dict) -> Actor:
    return Actor(
        user_id=user["id"],
        username=user["username"],
        display_name=user["display_name"] or user["username"],
        role=user["role"],
        county_id=user["county"],
        host_city=user.get("host_city") or "",
    )


async def create_user(
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    county_id: int | None = None,
    email: str = "",
    actor: Actor | None = None,
    host_city: str = "",
) -> int:
    """A new staff account; `actor` (the organiser, or None for the command line) is recorded in the audit log."""
    from training.audit import writer as audit

    username = normalise_username(username)
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "required"
    if role not in ROLES:
        errors["role"] = "invalid_role"
    if role == Role.COORDINATOR and county_id is None:
        errors["county"] = "coordinator_needs_county"
    host_city = host_city.strip()[:64] if role == Role.HOST else ""
    if role == Role.HOST and not host_city:
        errors["host_city"] = "host_needs_city"
    problem = password_problem(password, username)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    async with db.transaction():
        if await find_user(username) is not None:
            raise Conflict("username_taken", fields={"username": "username_taken"})
        rows = await StaffUser.insert(
            StaffUser(
                username=username,
                password_hash=hash_password(password),
                role=role,
                display_name=display_name or username,
                county=county_id,
                email=email,
                host_city=host_city,
            )
        )
        user_id = int(rows[0]["id"])
        await audit.record(
            actor,
            "create",
            "staff_user",
            user_id,
            {
                "username": [None, username],
                "display_name": [None, display_name or username],
                "role": [None, role],
                **({"county": [None, county_id]} if county_id is not None else {}),
                **({"host_city": [None, host_city]} if host_city else {}),
            },
        )
    return user_id


async def set_password(username: str, password: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise ValidationFailed({"password": problem})
    user = await find_user(username)
    if user:
        await StaffUser.update({StaffUser.password_hash: hash_password(password)}).where(
            StaffUser.id == user["id"]
        )
        # a changed password ends every open session
        await LoginSession.delete().where(LoginSession.user == user["id"])
    forget_cached_sessions()


async def log_in(username: str, password: str, client_ip: str) -> tuple[str, Actor]:
    """Returns (cookie token, principal). Raises LoginDelayed or RateLimited (training/accounts/throttle.py) or
    ValidationFailed(invalid_credentials)."""
    username = normalise_username(username)
    attempt = await throttle.begin(username, client_ip)
    user = await find_user(username, active_only=True)
    if not verify_password(user["password_hash"] if user else None, password) or user is None:
        raise ValidationFailed({"password": "invalid_credentials"})
    await throttle.succeeded(attempt)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    updates: dict = {StaffUser.last_login_at: now}
    if needs_rehash(user["password_hash"]):
        updates[StaffUser.password_hash] = hash_password(password)
    async with db.transaction():
        await StaffUser.update(updates).where(StaffUser.id == user["id"])
        await LoginSession.insert(
            LoginSession(
                token_hash=_token_hash(token),
                user=user["id"],
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return token, _principal(user)


async def principal_for_token(token: str) -> Actor | None:
    """The logged-in staff member for a session cookie, or None if unknown, expired or idle too long."""
    if not token or len(token) > 128:
        return None
    token_hash = _token_hash(token)
    row = await _session_row(token_hash)
    if row is None or not row["user.active"]:
        return None
    now = datetime.now(UTC)
    if _aware(row["expires_at"]) < now or _aware(row["last_seen_at"]) + SESSION_IDLE_TIMEOUT < now:
        _session_cache.pop(token_hash, None)
        await LoginSession.delete().where(LoginSession.id == row["id"])
        return None
    if _aware(row["last_seen_at"]) + timedelta(minutes=5) < now:  # avoid a write on every request
        await LoginSession.update({LoginSession.last_seen_at: now}).where(LoginSession.id == row["id"])
        row["last_seen_at"] = now
    return Actor(
        user_id=row["user.id"],
        username=row["user.username"],
        display_name=row["user.display_name"] or row["user.username"],
        role=row["user.role"],
        county_id=row["user.county"],
        host_city=row["user.host_city"] or "",
    )


async def _session_row(token_hash: str) -> dict[str, Any] | None:
    cached = _session_cache.get(token_hash)
    if cached is not None and time.monotonic() - cached[0] < SESSION_CACHE_SECONDS:
        return cached[1]
    # Plain SQL, because building this join with Piccolo's query builder cost ~0.6 ms of CPU per request, and on
    # SQLite a persistent connection (Piccolo opens one, and a thread, per query: ~2.5 ms).
    rows = await db.fetch(
        'SELECT s.id AS "id", s.expires_at AS "expires_at", s.last_seen_at AS "last_seen_at", u.id AS "user.id", '
        'u.username AS "user.username", u.display_name AS "user.display_name", u.role AS "user.role", '
        'u.county AS "user.county", u.host_city AS "user.host_city", u.active AS "user.active" '
        'FROM "login_session" AS s JOIN "staff_user" AS u ON u.id = s."user" WHERE s.token_hash = {}',
        token_hash,
    )
    if not rows:  # unknown tokens are not remembered: a new log-in must work at once
        _session_cache.pop(token_hash, None)
        return None
    row = dict(rows[0])
    _session_cache[token_hash] = (time.monotonic(), row)
    _session_cache.move_to_end(token_hash)
    while len(_session_cache) > _SESSION_CACHE_SIZE:
        _session_cache.popitem(last=False)
    return row


def forget_cached_sessions() -> None:
    """Drop this process's cached session rows (after changes to sessions or accounts made here)."""
    _session_cache.clear()


async def log_out(token: str) -> None:
    _session_cache.pop(_token_hash(token), None)
    await LoginSession.delete().where(LoginSession.token_hash == _token_hash(token))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- managed by organisers on the web ------------------------------------------------------------------------------


async def list_users() -> list[dict[str, Any]]:
    return list(
        await StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.display_name,
            StaffUser.role,
            StaffUser.county,
            StaffUser.county.name,
            StaffUser.host_city,
            StaffUser.active,
            StaffUser.last_login_at,
        )
        .order_by(StaffUser.active, ascending=False)
        .order_by(StaffUser.role)
        .order_by(StaffUser.username)
    )


async def get_user(user_id: int) -> dict[str, Any]:
    from training.errors import NotFound

    row = (
        await StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.display_name,
            StaffUser.role,
            StaffUser.county,
            StaffUser.county.name,
            StaffUser.host_city,
            StaffUser.email,
            StaffUser.active,
            StaffUser.created_at,
            StaffUser.last_login_at,
        )
        .where(StaffUser.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def reset_password(actor: Actor, user_id: int, password: str) -> None:
    """An organiser sets a new password for an account: every session of that account ends."""
    from training.audit import writer as audit

    user = await get_user(user_id)
    problem = password_problem(password, user["username"])
    if problem:
        raise ValidationFailed({"password": problem})
    async with db.transaction():
        await StaffUser.update({StaffUser.password_hash: hash_password(password)}).where(
            StaffUser.id == user_id
        )
        await LoginSession.delete().where(LoginSession.user == user_id)
        await audit.record(actor, "reset_password", "staff_user", user_id, {})
    forget_cached_sessions()


async def set_active(actor: Actor, user_id: int, active: bool) -> None:
    """Deactivate (its sessions end, its API tokens stop working) or reactivate an account. Nobody deactivates
    themselves (an organiser locking the last organiser out)."""
    from training.audit import writer as audit

    user = await get_user(user_id)
    if not active and user_id == actor.user_id:
        raise Conflict("cannot_deactivate_self")
    if bool(user["active"]) == active:
        return
    async with db.transaction():
        await StaffUser.update({StaffUser.active: active}).where(StaffUser.id == user_id)
        if not active:
            await LoginSession.delete().where(LoginSession.user == user_id)
        await audit.record(
            actor,
            "reactivate" if active else "deactivate",
            "staff_user",
            user_id,
            {"active": [not active, active]},
        )
    forget_cached_sessions()
    from training.accounts import tokens

    tokens.forget()

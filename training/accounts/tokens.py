"""Personal API tokens: `Authorization: Bearer trn_…` on /api/ instead of the session cookie and the CSRF token.

A token acts as its holder (the same role guards apply), narrowed to its scopes. Only the SHA-256 of the secret is
stored; the secret is shown once. A deactivated holder's tokens stop working with the account.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from training import db
from training.accounts.tables import ApiToken
from training.audit import writer as audit
from training.core.actor import Actor
from training.errors import NotFound, ValidationFailed
from training.i18n import N_, register_messages

PREFIX = "trn_"
# scope → what it lets a script do on /api/ (the holder's role still decides which routes answer)
SCOPES: dict[str, str] = {
    "read": N_("Read: every GET of the API"),
    "write": N_("Write: create, change and delete through the API (not check-in)"),
    "checkin": N_("Check-in: scan codes and download block rosters"),
}
CACHE_SECONDS = 5.0
_cache: OrderedDict[str, tuple[float, dict[str, Any] | None]] = OrderedDict()

register_messages(
    {
        "invalid_token": N_("The API token is unknown, revoked, or its holder is deactivated."),
        "token_scope": N_("The API token's scopes do not allow this request."),
        "token_needs_scope": N_("Choose at least one scope."),
    }
)


def forget() -> None:
    """Drop this process's cached token look-ups (after an account or token changed here)."""
    _cache.clear()


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def allows(scopes: frozenset[str] | set[str], method: str, path: str) -> bool:
    """Pure: may a token with these scopes make this request?"""
    if path.startswith("/api/v1/checkin/"):
        return "checkin" in scopes or (method in ("GET", "HEAD") and "read" in scopes)
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read" in scopes
    return "write" in scopes


async def create_token(actor: Actor, name: str, scopes: list[str]) -> tuple[str, int]:
    """A new token for the actor; returns (the secret, shown once; the token id)."""
    name = name.strip()
    chosen = sorted({s for s in scopes if s in SCOPES})
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "required"
    elif len(name) > 64:
        errors["name"] = "too_long"
    if not chosen:
        errors["scopes"] = "token_needs_scope"
    if errors:
        raise ValidationFailed(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    async with db.transaction():
        rows = await ApiToken.insert(
            ApiToken(
                user=actor.user_id,
                name=name,
                token_hash=token_hash(secret),
                prefix=secret[:10],
                scopes=" ".join(chosen),
                created_at=datetime.now(UTC),
            )
        )
        token_id = int(rows[0]["id"])
        await audit.record(
            actor, "create_token", "api_token", token_id, {"name": [None, name], "scopes": [None, chosen]}
        )
    return secret, token_id


async def list_tokens(user_id: int) -> list[dict[str, Any]]:
    return list(
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.scopes,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.id, ascending=False)
    )


async def revoke_token(actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's own tokens (organisers: anyone's)."""
    async with db.transaction():
        row = await ApiToken.select().where(ApiToken.id == token_id).first()
        if row is None or (row["user"] != actor.user_id and not actor.is_organiser):
            raise NotFound()
        if row["revoked_at"] is None:
            await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(ApiToken.id == token_id)
            await audit.record(actor, "revoke_token", "api_token", token_id, {"name": [row["name"], None]})
    _cache.clear()


async def revoke_all(user_id: int) -> None:
    await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
        (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
    )
    _cache.clear()


async def principal_for(secret: str) -> tuple[Actor, frozenset[str]] | None:
    """The holder and the scopes of a bearer token, or None (unknown, revoked, holder deactivated)."""
    if not secret.startswith(PREFIX) or len(secret) > 128:
        return None
    digest = token_hash(secret)
    cached = _cache.get(digest)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        row = cached[1]
    else:
        rows = await db.fetch(
            'SELECT t.id AS "id", t.scopes AS "scopes", t.last_used_at AS "last_used_at", '
            't.revoked_at AS "revoked_at", u.id AS "user_id", u.username AS "username", '
            'u.display_name AS "display_name", u.role AS "role", u.county AS "county", u.host_city AS "host_city", u.active AS "active" '
            'FROM "api_token" AS t JOIN "staff_user" AS u ON u.id = t."user" WHERE t.token_hash = {}',
            digest,
        )
        row = dict(rows[0]) if rows else None
        _cache[digest] = (time.monotonic(), row)
        while len(_cache) > 1024:
            _cache.popitem(last=False)
    if row is None or row["revoked_at"] is not None or not row["active"]:
        return None
    last = row["last_used_at"]
    now = datetime.now(UTC)
    if last is None or _aware(last) + timedelta(minutes=5) < now:  # no write on every request
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
        row["last_used_at"] = now
    principal = Actor(
        user_id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"] or row["username"],
        role=row["role"],
        county_id=row["county"],
        host_city=row["host_city"] or "",
    )
    return principal, frozenset(str(row["scopes"]).split())


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)

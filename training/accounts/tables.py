from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.accounts.states import Role
from training.people.tables import County

ROLES = tuple(r.value for r in Role)


class StaffUser(Table, tablename="staff_user"):
    id: Serial
    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=255)
    display_name = Varchar(length=64, default="")
    role = Varchar(length=16, index=True, choices=Role)
    county = ForeignKey(County, on_delete=OnDelete.restrict, null=True, index=True)  # coordinators
    host_city = Varchar(length=64, default="")  # host coordinators: the host city they receive teachers in
    email = Varchar(length=254, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class LoginSession(Table, tablename="login_session"):
    """Server-side session: the cookie holds a random token, the table its SHA-256."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)


class LoginThrottle(Table, tablename="login_throttle"):
    """Wrong passwords per (user name, client address) pair and when that pair may try again (training/accounts/
    throttle.py). A successful log-in deletes its pair's row; an organiser's unblock deletes a user's rows."""

    id: Serial
    pair_key = Varchar(length=64, unique=True)  # keyed hash of (user name, address)
    username = Varchar(length=64, index=True)
    address_hint = Varchar(
        length=64, default=""
    )  # the address with its last part hidden, for the unblock page
    failures = Integer(default=0)
    last_attempt_at = Integer(default=0)  # unix seconds
    next_allowed_at = Integer(default=0)  # unix seconds


class ApiToken(Table, tablename="api_token"):
    """A personal API token: the holder's rights narrowed to its scopes. Only the SHA-256 of the secret is kept;
    the secret itself is shown once, when the token is made."""

    id: Serial
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=64)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12)  # the first characters, so a holder can tell tokens apart
    scopes = Varchar(length=128)  # space-separated, see accounts/tokens.py
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)

"""Process-wide state that belongs to one database and one set of settings.

Each test gets a fresh database whose row ids start again at 1, so anything a module keeps between calls and keys
by row id (a login session, an API token, a block's session, a print run) would otherwise answer from the previous
test's database. The `engine` fixture owns this state: it calls `forget_process_state` whenever it binds a
database, and tests never reset a cache by hand.
"""

from __future__ import annotations

from training import keys
from training.accounts import service as accounts_service
from training.accounts import tokens
from training.certificates import batch, printing
from training.checkin import assignments
from training.config import Settings
from training.sms import state as sms_state


def forget_process_state(settings: Settings) -> None:
    keys.configure(settings.secret_key)
    sms_state.configure(settings)
    accounts_service.forget_cached_sessions()
    tokens.forget()
    assignments.forget()
    # Keyed by row ids without a forget() of their own: a block's session, a session's print and issue runs.
    assignments._block_session.clear()
    printing._runs.clear()
    batch._runs.clear()

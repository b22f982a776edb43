"""User names are case-insensitive: stored lower-cased, compared lower-cased (a phone keyboard types "Scanner")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.sync import run_sync
from tests.kit.web import csrf_token
from tests.kit.world import PASSWORD, create_user
from training.accounts import service
from training.accounts.passwords import hash_password
from training.accounts.tables import StaffUser
from training.errors import Conflict


def _log_in(client: Any, typed: str) -> int:
    response = client.post(
        "/login",
        data={"username": typed, "password": PASSWORD, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    return int(response.status_code)


def test_a_name_typed_with_capitals_logs_in(client: Any) -> None:
    create_user("Wang.Site", "staff")
    stored = run_sync(StaffUser.select(StaffUser.username).first())
    assert stored["username"] == "wang.site"
    assert _log_in(client, "WANG.SITE ") == 302


def test_an_account_made_before_names_were_lower_cased_still_logs_in(client: Any) -> None:
    run_sync(
        StaffUser.insert(
            StaffUser(username="OldOrg", password_hash=hash_password(PASSWORD), role="organiser")
        )
    )
    assert _log_in(client, "oldorg") == 302


async def test_a_name_differing_only_in_case_is_taken(adb: Any) -> None:
    await service.create_user("scanner", PASSWORD, "staff")
    with pytest.raises(Conflict):
        await service.create_user("Scanner", PASSWORD, "staff")

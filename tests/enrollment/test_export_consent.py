"""Exports match the consent: roster downloads carry phone numbers and e-mails partly hidden; the list with full
contacts is for organisers, and for a county coordinator only where an organiser allowed it for the session;
every download is audited with what it carried; the registration form says exactly this."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import make_counties, make_session, registration
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.accounts.tables import StaffUser
from training.audit.tables import AuditEntry
from training.core.masking import mask_email
from training.enrollment import service


def _world() -> tuple[list[int], int]:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    for n, county in ((1, counties[0]), (2, counties[0]), (3, counties[1])):
        run_sync(service.register(session_id, registration(county, n), base_url="http://x"))
    return counties, session_id


def _rows(client: TestClient[Any], session_id: int, *extra: str) -> tuple[int, list[list[str]]]:
    response = client.get(f"/admin/enrollment/sessions/{session_id}/export?format=csv&" + "&".join(extra))
    if response.status_code != 200:
        return response.status_code, []
    return 200, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def _display_name(username: str) -> str:
    # The audit log names the acting staff member as the pages show her: by display name.
    row = run_sync(StaffUser.select(StaffUser.display_name).where(StaffUser.username == username).first())
    assert row is not None
    return str(row["display_name"])


def _export_audits() -> list[dict[str, Any]]:
    rows = run_sync(
        AuditEntry.select(AuditEntry.actor_name, AuditEntry.changes)
        .where(AuditEntry.action == "export_roster")
        .order_by(AuditEntry.id)
    )
    return [
        {
            "who": r["actor_name"],
            **(json.loads(r["changes"]) if isinstance(r["changes"], str) else r["changes"]),
        }
        for r in rows
    ]


def test_the_default_export_masks_phones_and_emails_and_the_full_list_is_for_organisers(
    client: TestClient[Any],
) -> None:
    counties, session_id = _world()
    organiser = _display_name(login_as(client, "organiser"))
    status, masked = _rows(client, session_id)
    assert status == 200 and len(masked) == 3
    phones = {registration(counties[0], n)["phone"] for n in (1, 2, 3)}
    emails = {registration(counties[0], n)["email"] for n in (1, 2, 3)}
    assert all(r[4] not in phones and "****" in r[4] for r in masked)
    assert {r[5] for r in masked} == {mask_email(e) for e in emails}
    status, full = _rows(client, session_id, "contacts=full")
    assert status == 200 and {r[4] for r in full} == phones and {r[5] for r in full} == emails
    assert [(a["who"], a["contacts"], a["rows"]) for a in _export_audits()] == [
        (organiser, "masked", 3),
        (organiser, "full", 3),
    ]


def test_a_coordinator_gets_full_contacts_only_while_an_organiser_allows_it(app: Any) -> None:
    counties, session_id = _world()
    with (
        TestClient(app=app, base_url="http://testserver.local") as organiser,
        TestClient(app=app, base_url="http://testserver.local") as coordinator,
    ):
        login_as(organiser, "organiser")
        login_as(coordinator, "coordinator", counties[0])
        status, rows = _rows(coordinator, session_id)
        assert status == 200 and len(rows) == 2 and all("****" in r[4] for r in rows)  # own county, masked
        page = coordinator.get(f"/admin/enrollment/sessions/{session_id}")
        assert "contacts=full" not in page.text and "尚未允许县联络员" in page.text
        assert _rows(coordinator, session_id, "contacts=full")[0] == 403

        allowed = organiser.post(
            f"/admin/enrollment/sessions/{session_id}/contacts",
            data={"allow": "1", "_csrf_token": csrf_token(organiser)},
            follow_redirects=False,
        )
        assert allowed.status_code in (302, 303)
        assert "contacts=full" in coordinator.get(f"/admin/enrollment/sessions/{session_id}").text
        status, full = _rows(coordinator, session_id, "contacts=full")
        assert status == 200 and {r[4] for r in full} == {
            registration(counties[0], n)["phone"] for n in (1, 2)
        }

        organiser.post(
            f"/admin/enrollment/sessions/{session_id}/contacts",
            data={"allow": "0", "_csrf_token": csrf_token(organiser)},
        )
        assert _rows(coordinator, session_id, "contacts=full")[0] == 403
        # a coordinator cannot grant it to herself
        denied = coordinator.post(
            f"/admin/enrollment/sessions/{session_id}/contacts",
            data={"allow": "1", "_csrf_token": csrf_token(coordinator)},
        )
        assert denied.status_code == 403
        assert _rows(coordinator, session_id, "contacts=full")[0] == 403

    assert [a["contacts"] for a in _export_audits()] == ["masked", "full"]
    permissions = run_sync(
        AuditEntry.select(AuditEntry.changes)
        .where(AuditEntry.action == "coordinator_contacts")
        .order_by(AuditEntry.id)
    )
    allowed_values = [
        (json.loads(p["changes"]) if isinstance(p["changes"], str) else p["changes"])["allowed"]
        for p in permissions
    ]
    assert allowed_values == [True, False]


def test_the_consent_text_says_who_may_download_full_contacts(client: TestClient[Any]) -> None:
    _, session_id = _world()
    page = client.get(f"/sessions/{session_id}/register")
    assert page.status_code == 200
    assert "身份证号只以部分隐藏的形式显示" in page.text and "省继续教育学时登记" in page.text
    assert (
        "经项目组允许时本县联络员也可下载" in page.text
        and "每次下载或打开含完整信息的名单都有记录" in page.text
    )

"""Certificates only when earned: nothing is issued before the session's last block ends, except by an
organiser's audited exception (service, CLI and page); the PDF's Chinese text is searchable."""

from __future__ import annotations

import json
import subprocess
import time as wall
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdfium2
import pytest

from tests.certificates.factory import World, make_world, participants
from tests.faults.test_certificate_faults import cli_environment, issue_command
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.audit.tables import AuditEntry
from training.certificates import batch, candidates, eligibility, issuing
from training.certificates.tables import Certificate
from training.config import Settings
from training.core.actor import Actor
from training.errors import ValidationFailed
from training.programmes.tables import Block, TrainingSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORGANISER = Actor(user_id=1, username="org", display_name="项目组 李老师", role="organiser")
# make_world: 8 blocks from 2019-07-15, two a day; the last one is 2019-07-18 14:00-17:00 Shanghai time
LAST_BLOCK_ENDS = datetime(2019, 7, 18, 17, 0, tzinfo=SHANGHAI)


def changes(entry: dict[str, Any]) -> dict[str, Any]:
    value = entry["changes"]
    return json.loads(value) if isinstance(value, str) else value  # JSON text on SQLite, JSONB on PostgreSQL


def pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_issue_opens_when_the_last_non_cancelled_block_ends() -> None:
    blocks = [
        (date(2019, 7, 15), time(11, 30), False),
        (date(2019, 7, 16), time(17, 0), True),  # cancelled: does not hold certificates back
        (date(2019, 7, 16), time(11, 30), False),
    ]
    assert eligibility.issue_opens_at(blocks, date(2019, 7, 16), SHANGHAI) == datetime(
        2019, 7, 16, 11, 30, tzinfo=SHANGHAI
    )
    # no timetable: the midnight after the last day
    assert eligibility.issue_opens_at([], date(2019, 7, 16), SHANGHAI) == datetime(
        2019, 7, 17, 0, 0, tzinfo=SHANGHAI
    )


async def _count(world: World) -> int:
    return await Certificate.count().where(Certificate.session == world.session_id)


async def test_nothing_is_issued_on_day_one_of_a_session(adb: Any, settings: Settings) -> None:
    world = await make_world(blocks=8, hours=3.0, completion_hours=6.0)
    await participants(world, 2, attended_blocks=2)  # day 1 already meets a 6-hour threshold
    day_one_evening = datetime(2019, 7, 15, 20, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValidationFailed) as info:
        await batch.issue_session(world.session_id, settings, workers=1, now=day_one_evening)
    assert info.value.fields == {"early_reason": "certificates_too_early"}
    assert info.value.params == {"opens_at": "2019-07-18 17:00"}
    assert await _count(world) == 0
    one_minute_early = LAST_BLOCK_ENDS.replace(minute=0, hour=16, second=59)
    with pytest.raises(ValidationFailed):
        await batch.issue_session(world.session_id, settings, workers=1, now=one_minute_early)

    report = await batch.issue_session(world.session_id, settings, workers=1, now=LAST_BLOCK_ENDS)
    assert report.claimed == 2 and await _count(world) == 2
    assert await AuditEntry.count().where(AuditEntry.action == "issue_certificates_early") == 0


async def test_an_organiser_exception_issues_early_and_is_audited(adb: Any, settings: Settings) -> None:
    world = await make_world(blocks=8, hours=3.0, completion_hours=6.0)
    await participants(world, 3, attended_blocks=2)
    day_two = datetime(2019, 7, 16, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValidationFailed):  # a reason of blanks is no reason
        await batch.issue_session(world.session_id, settings, workers=1, now=day_two, early_reason="  ")
    report = await batch.issue_session(
        world.session_id,
        settings,
        workers=1,
        now=day_two,
        early_reason="三位老师提前返校参加中考监考",
        actor=ORGANISER,
    )
    assert report.claimed == 3 and report.recorded == 3
    [entry] = await AuditEntry.select().where(AuditEntry.action == "issue_certificates_early")
    assert entry["actor_name"] == ORGANISER.display_name
    assert entry["entity"] == "session" and entry["entity_id"] == str(world.session_id)
    assert changes(entry)["reason"] == "三位老师提前返校参加中考监考"
    assert datetime.fromisoformat(changes(entry)["last_block_ends"]) == LAST_BLOCK_ENDS


async def test_a_run_interrupted_before_the_end_still_finishes_what_it_claimed(
    adb: Any, settings: Settings
) -> None:
    world = await make_world(blocks=2, hours=3.0, completion_hours=3.0)
    await participants(world, 2, attended_blocks=1)
    state = await candidates.session_eligibility(world.session_id)
    await issuing.claim_certificates(state.session, state.eligible)  # claimed, never rendered
    report = await batch.issue_session(
        world.session_id, settings, workers=1, now=datetime(2019, 7, 15, 9, 0, tzinfo=SHANGHAI)
    )
    assert report.rendered == 2 and report.claimed == 0


def test_the_cli_refuses_before_the_end_and_issues_with_a_reason(settings: Settings, engine: Any) -> None:
    world = run_sync(make_world())
    run_sync(participants(world, 1))
    today = datetime.now(SHANGHAI).date()
    # the whole timetable moves to tomorrow: the session is not over yet
    run_sync(
        Block.update({Block.day: date.fromordinal(today.toordinal() + 1)})
        .where(Block.session == world.session_id)
        .run()
    )
    refused = subprocess.run(
        issue_command(world.session_id), env=cli_environment(settings), capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "--early-reason" in refused.stderr and "last block ends at" in refused.stderr
    assert run_sync(Certificate.count().where(Certificate.session == world.session_id).run()) == 0
    issued = subprocess.run(
        issue_command(world.session_id, "--early-reason", "结业典礼提前到今天下午"),
        env=cli_environment(settings),
        capture_output=True,
        text=True,
    )
    assert issued.returncode == 0, issued.stderr
    assert run_sync(Certificate.count().where(Certificate.session == world.session_id).run()) == 1
    [entry] = run_sync(AuditEntry.select().where(AuditEntry.action == "issue_certificates_early").run())
    assert entry["actor_id"] is None and changes(entry)["reason"] == "结业典礼提前到今天下午"


def test_the_page_asks_for_a_reason_before_the_end(client: Any, settings: Settings) -> None:
    world = run_sync(make_world())
    run_sync(participants(world, 1))
    tomorrow = date.fromordinal(datetime.now(SHANGHAI).date().toordinal() + 1)
    run_sync(Block.update({Block.day: tomorrow}).where(Block.session == world.session_id).run())
    run_sync(
        TrainingSession.update({TrainingSession.ends_on: tomorrow})
        .where(TrainingSession.id == world.session_id)
        .run()
    )
    login_as(client, "organiser")
    page_url = f"/admin/certificates/sessions/{world.session_id}"
    page = client.get(page_url)
    assert 'id="too-early"' in page.text and 'name="early_reason"' in page.text
    refused = client.post(page_url + "/issue", data={"_csrf_token": csrf_token(client)})
    assert refused.status_code == 400
    assert 'id="e-early_reason"' in refused.text and "必填" in refused.text
    accepted = client.post(
        page_url + "/issue",
        data={"_csrf_token": csrf_token(client), "early_reason": "结业典礼提前"},
        follow_redirects=False,
    )
    assert (
        accepted.status_code == 200 and 'name="early_reason" value="结业典礼提前"' in accepted.text
    )  # asks first
    accepted = client.post(
        page_url + "/issue",
        data={"_csrf_token": csrf_token(client), "early_reason": "结业典礼提前", "confirm": "1"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    for _ in range(600):
        run = batch.run_state(world.session_id)
        if run and run.finished:
            break
        wall.sleep(0.1)
    assert batch.run_state(world.session_id).error == ""  # type: ignore[union-attr]
    assert run_sync(Certificate.count().where(Certificate.session == world.session_id).run()) == 1
    [entry] = run_sync(AuditEntry.select().where(AuditEntry.action == "issue_certificates_early").run())
    assert changes(entry)["reason"] == "结业典礼提前"


async def test_certificate_pdf_text_is_searchable_chinese(adb: Any, settings: Settings) -> None:
    world = await make_world()
    await participants(world, 1)
    await batch.issue_session(world.session_id, settings, workers=1, now=datetime.now(UTC))
    [cert] = await Certificate.select().where(Certificate.session == world.session_id)
    text = pdf_text(settings.data_dir / cert["file_path"])
    for expected in (
        cert["teacher_name"],
        cert["serial"],
        cert["session_title"],
        "完成培训 24 学时",
        "结业证书",
        "剑阁县实验小学",
        cert["verification_code"],
    ):
        assert expected in text, expected

"""Issuing certificates against a real database: eligibility, serials, crashes, overlapping runs, revoke."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.certificates.factory import attend, make_teacher, make_world, participants
from training.audit.tables import AuditEntry
from training.certificates import batch, candidates, exceptions, issuing, revoking, verifying
from training.certificates.tables import Certificate
from training.config import Settings
from training.core.actor import Actor
from training.errors import Conflict, ValidationFailed
from training.mail.tables import OutboxMessage
from training.programmes.tables import Block, TrainingSession

ORGANISER = Actor(user_id=1, username="org", display_name="项目组 李老师", role="organiser")


async def _serials(session_id: int) -> list[tuple[int, int, str]]:
    rows = await Certificate.select(Certificate.enrollment, Certificate.seq, Certificate.serial).where(
        Certificate.session == session_id
    )
    return sorted((r["seq"], r["enrollment"], r["serial"]) for r in rows)


async def _assert_exactly_once(session_id: int, enrollments: list[int]) -> None:
    rows = await _serials(session_id)
    assert sorted(e for _, e, _ in rows) == sorted(enrollments)  # everyone, nobody twice
    assert [seq for seq, _, _ in rows] == list(range(1, len(enrollments) + 1))  # no gap, no duplicate
    counter = await TrainingSession.select(TrainingSession.certificates_issued).where(
        TrainingSession.id == session_id
    )
    assert counter[0]["certificates_issued"] == len(enrollments)
    mails = await OutboxMessage.select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "certificate")
    assert sorted(m["dedupe_key"] for m in mails) == sorted(f"certificate:{s}:r1" for _, _, s in rows)
    pending = await Certificate.count().where(
        (Certificate.session == session_id) & (Certificate.file_path == "")
    )
    assert pending == 0


async def test_at_threshold_gets_one_and_short_teacher_gets_none(adb: Any, settings: Settings) -> None:
    world = await make_world(blocks=8, hours=3.0, completion_hours=18.0)
    _, exact = await make_teacher(world, "王芳")
    await attend(world, exact, 6)  # 18 hours: exactly the threshold
    _, short = await make_teacher(world, "李明")
    await attend(world, short, 5)  # 15 hours

    state = await candidates.session_eligibility(world.session_id)
    by_id = {c.enrollment_id: c for c in state.candidates}
    assert by_id[exact].decision.status == "eligible"
    assert by_id[short].decision.status == "short" and by_id[short].decision.shortfall == 3.0

    report = await batch.issue_session(world.session_id, settings, workers=1)
    assert report.claimed == 1 and report.recorded == 1
    assert [e for _, e, _ in await _serials(world.session_id)] == [exact]
    assert await Certificate.count().where(Certificate.enrollment == short) == 0


async def test_percent_threshold_ignores_cancelled_blocks(adb: Any, settings: Settings) -> None:
    world = await make_world(blocks=8, hours=3.0, completion_hours=None, completion_percent=75.0)
    await Block.update({Block.cancelled: True}).where(Block.id == world.blocks[-1])  # timetable: 21 hours
    _, enrollment = await make_teacher(world)
    await attend(world, enrollment, 8)  # attended the cancelled block too: counts 21, not 24
    state = await candidates.session_eligibility(world.session_id)
    assert state.total_hours == 21.0 and state.threshold == pytest.approx(15.75)
    assert state.candidates[0].decision.attended_hours == 21.0


async def test_exceptions_grant_and_deny_with_a_reason_and_are_audited(adb: Any, settings: Settings) -> None:
    world = await make_world()
    _, granted = await make_teacher(world, "王芳")
    await attend(world, granted, 2)
    _, denied = await make_teacher(world, "张三梅")
    await attend(world, denied, 8)

    with pytest.raises(ValidationFailed):
        await exceptions.set_exception(granted, True, "   ", ORGANISER)
    await exceptions.set_exception(granted, True, "因县里抗洪抢险缺席两天，补交学习报告", ORGANISER)
    await exceptions.set_exception(denied, False, "代签到，经核实本人未到场", ORGANISER)

    await batch.issue_session(world.session_id, settings, workers=1)
    issued = [e for _, e, _ in await _serials(world.session_id)]
    assert issued == [granted]
    audit = await AuditEntry.select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.actor_name).order_by(
        AuditEntry.id
    )
    assert [(a["action"], a["entity_id"]) for a in audit] == [
        ("grant_certificate", str(granted)),
        ("deny_certificate", str(denied)),
    ]
    assert audit[0]["actor_name"] == "项目组 李老师"


async def test_crash_mid_batch_then_rerun_issues_everyone_exactly_once(adb: Any, settings: Settings) -> None:
    world = await make_world()
    enrollments = await participants(world, 11)

    class Crash(Exception):
        pass

    def crash_after_four_claimed(stage: str, done: int, total: int) -> None:
        if stage == "claim" and done >= 4:
            raise Crash()

    with pytest.raises(Crash):
        await batch.issue_session(
            world.session_id, settings, workers=1, claim_chunk=2, progress=crash_after_four_claimed
        )
    assert len(await _serials(world.session_id)) == 4  # claimed, not yet rendered or mailed

    def crash_after_first_render_chunk(stage: str, done: int, total: int) -> None:
        if stage == "render":
            raise Crash()

    with pytest.raises(Crash):
        await batch.issue_session(
            world.session_id, settings, workers=1, progress=crash_after_first_render_chunk
        )
    rendered = await Certificate.count().where(Certificate.file_path != "")
    assert 0 < rendered < 11

    report = await batch.issue_session(world.session_id, settings, workers=1)
    assert report.claimed == 0 and report.recorded == 11 - rendered
    await _assert_exactly_once(world.session_id, enrollments)

    again = await batch.issue_session(world.session_id, settings, workers=1)
    assert again.claimed == 0 and again.recorded == 0
    await _assert_exactly_once(world.session_id, enrollments)


async def test_overlapping_runs_neither_duplicate_nor_skip_a_number(adb: Any, settings: Settings) -> None:
    world = await make_world()
    enrollments = await participants(world, 14)
    first, second = await asyncio.gather(
        batch.issue_session(world.session_id, settings, workers=1, claim_chunk=3),
        batch.issue_session(world.session_id, settings, workers=1, claim_chunk=2),
    )
    assert first.claimed + second.claimed == 14
    assert first.recorded + second.recorded == 14
    await _assert_exactly_once(world.session_id, enrollments)
    # Both runs rendered in threads of this process at once: every PDF still carries its own serial.
    import pypdfium2
    import zxingcpp

    for cert in await Certificate.select(Certificate.serial, Certificate.file_path):
        image = pypdfium2.PdfDocument(str(settings.data_dir / cert["file_path"]))[0].render(scale=2).to_pil()
        assert [c.text for c in zxingcpp.read_barcodes(image)] == [
            f"{settings.base_url}/verify/{cert['serial']}"
        ]


async def test_single_claims_racing_for_the_same_teacher_issue_one(adb: Any, settings: Settings) -> None:
    world = await make_world()
    await participants(world, 1)
    state = await candidates.session_eligibility(world.session_id)
    results = await asyncio.gather(
        *[issuing.claim_certificate(state.session, state.candidates[0]) for _ in range(6)]
    )
    assert sum(r is not None for r in results) == 1
    assert [seq for seq, _, _ in await _serials(world.session_id)] == [1]


async def test_all_cores_render_through_worker_processes(adb: Any, settings: Settings) -> None:
    world = await make_world(kind="exchange")
    enrollments = await participants(world, 10)
    report = await batch.issue_session(world.session_id, settings, workers=2)
    assert report.rendered == 10
    assert report.pdf_bytes / report.rendered < 600 * 1024
    await _assert_exactly_once(world.session_id, enrollments)


async def test_revoke_then_reissue_keeps_the_serial_and_mails_the_new_revision(
    adb: Any, settings: Settings
) -> None:
    world = await make_world()
    teacher_id, teacher_enrollment = await make_teacher(world, "张三每")
    await attend(world, teacher_enrollment, 8)
    await batch.issue_session(world.session_id, settings, workers=1)
    (cert,) = await Certificate.select().where(Certificate.session == world.session_id)
    serial = cert["serial"]
    assert (await verifying.verify(serial)).status == "valid"

    with pytest.raises(Conflict):
        await batch.reissue_and_render(serial, "姓名有误", ORGANISER, settings)
    await revoking.revoke(serial, "姓名录入有误（每→梅）", ORGANISER)
    result = await verifying.verify(serial)
    assert result.status == "revoked" and result.masked_name == "张*每"

    from training.enrollment import snapshots
    from training.people.tables import Teacher

    # the organiser corrects the name: the person's record and the enrollments' printed name
    await Teacher.update({Teacher.name: "张三梅"}).where(Teacher.name == "张三每")
    assert await snapshots.correct_name(teacher_id, "张三梅") == 1
    fresh = await batch.reissue_and_render(serial, "更正姓名后重新颁发", ORGANISER, settings)
    assert fresh.serial == serial and fresh.seq == cert["seq"] and fresh.revision == 2
    assert fresh.teacher_name == "张三梅" and fresh.file_path.endswith("-r2.pdf")
    verified = await verifying.verify(serial)
    assert verified.status == "valid" and verified.masked_name == "张*梅"
    keys = {m["dedupe_key"] for m in await OutboxMessage.select(OutboxMessage.dedupe_key)}
    # the first revision, the revocation explained to the teacher, the second revision
    assert keys == {
        f"certificate:{serial}:r1",
        f"certificate:{serial}:revoked:r1",
        f"certificate:{serial}:r2",
    }
    actions = [a["action"] for a in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)]
    assert actions == ["revoke", "reissue"]


async def test_unknown_serial_is_unknown_and_reveals_nothing(adb: Any) -> None:
    result = await verifying.verify("2019-0001-9999")
    assert result.to_json() == {"status": "unknown", "serial": "2019-0001-9999"}


def test_cli_issues_with_a_progress_bar_and_is_resumable(settings: Settings, engine: Any) -> None:
    import os
    import subprocess
    import sys

    from tests.kit.sync import run_sync

    world = run_sync(make_world())
    run_sync(participants(world, 3))
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "training", "certificates", "issue", "--session", str(world.session_id)]
    first = subprocess.run([*command, "--workers", "2"], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "rendering" in first.stderr and "3/3" in first.stderr  # the progress bar
    assert "3 newly issued" in first.stdout and "3 recorded and mailed" in first.stdout
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "0 newly issued" in again.stdout
    assert run_sync(Certificate.count().where(Certificate.file_path != "").run()) == 3

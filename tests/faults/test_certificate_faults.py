"""Certificate batches under faults, with real processes and a real file system:
the `training certificates issue` command killed with SIGKILL part-way, and a certificate folder that is full."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

from tests.certificates.factory import World, make_world, participants
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.certificates.tables import Certificate
from training.config import Settings
from training.mail.tables import OutboxMessage


def cli_environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_BASE_URL": "http://testserver.local",
        "TRAINING_LOG_LEVEL": "WARNING",
    }


def issue_command(session_id: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "training",
        "certificates",
        "issue",
        "--session",
        str(session_id),
        "--quiet",
        *extra,
    ]


def start_issue(settings: Settings, session_id: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    # A session of its own, so that SIGKILL can take the command and its render workers at once (as a crash or
    # an OOM kill of the whole job would).
    return subprocess.Popen(
        issue_command(session_id, *extra),
        env=cli_environment(settings),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def run_issue(settings: Settings, session_id: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        issue_command(session_id, *extra),
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


async def certificate_state(session_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    certs = await Certificate.select().where(Certificate.session == session_id).order_by(Certificate.seq)
    mails = await OutboxMessage.select(OutboxMessage.enrollment_id, OutboxMessage.dedupe_key).where(
        OutboxMessage.kind == "certificate"
    )
    return certs, mails


def assert_every_teacher_has_one_good_certificate(
    settings: Settings, world: World, enrollments: list[int]
) -> None:
    certs, mails = run_sync(certificate_state(world.session_id))
    assert sorted(c["enrollment"] for c in certs) == sorted(enrollments)  # exactly one each
    assert [c["seq"] for c in certs] == list(range(1, len(enrollments) + 1))  # no gap, no duplicate
    assert len({c["serial"] for c in certs}) == len(certs)
    for cert in certs:
        assert cert["file_path"], f"{cert['serial']} was never recorded"
        path = settings.data_dir / cert["file_path"]
        assert path.is_file(), path
        pdf = pypdfium2.PdfDocument(str(path))  # a truncated or half-written file does not open
        try:
            assert len(pdf) == 1
        finally:
            pdf.close()
    per_teacher = Counter(m["enrollment_id"] for m in mails)
    assert per_teacher == Counter(enrollments), "each teacher gets exactly one certificate mail"


@pytest.mark.slow
def test_a_certificate_batch_killed_with_sigkill_finishes_on_rerun_without_gaps_or_doubles(
    settings: Settings, engine: Any, tmp_path: Path
) -> None:
    world = run_sync(make_world())
    enrollments = run_sync(participants(world, 72))
    process = start_issue(settings, world.session_id, tmp_path / "first-run.log")
    recorded_at_kill = -1
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and process.poll() is None:
            recorded_at_kill = run_sync(
                Certificate.count().where(
                    (Certificate.session == world.session_id) & (Certificate.file_path != "")
                )
            )
            if recorded_at_kill >= 8:
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, (tmp_path / "first-run.log").read_text()
    assert 8 <= recorded_at_kill < len(enrollments), "the kill must land part-way through the batch"
    claimed = run_sync(Certificate.count().where(Certificate.session == world.session_id))
    stale = len(list((settings.data_dir / "certificates").rglob(".tmp-*")))
    # A killed run leaves claimed-but-unrendered rows (file_path = '') and never a mail for them.
    certs, mails = run_sync(certificate_state(world.session_id))
    unrecorded = {c["enrollment"] for c in certs if not c["file_path"]}
    assert not unrecorded & {m["enrollment_id"] for m in mails}

    rerun = run_issue(settings, world.session_id)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    print(
        f"\nSIGKILL after {recorded_at_kill} recorded ({stale} temporary files left), {claimed} claimed of {len(enrollments)}; rerun: {rerun.stdout.strip()}"
    )
    assert f"{len(enrollments)} eligible · {len(enrollments) - claimed} newly issued" in rerun.stdout
    assert_every_teacher_has_one_good_certificate(settings, world, enrollments)
    # A third run has nothing to do and changes nothing.
    again = run_issue(settings, world.session_id)
    assert again.returncode == 0 and "0 newly issued · 0 rendered" in again.stdout, again.stdout
    assert_every_teacher_has_one_good_certificate(settings, world, enrollments)


# ---------------------------------------------------------------------------------------------------------------
# A full disk: a real tmpfs of 1 MiB over the certificate folder (a PDF is ~440 KB, so two fit).


@pytest.fixture
def tiny_certificate_disk(settings: Settings) -> Iterator[Path]:
    folder = settings.data_dir / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def grow(folder: Path) -> None:
    """Space returns: the same file system grows, keeping the files already written."""
    subprocess.run(["mount", "-o", "remount,size=256m", str(folder)], check=True)


def assert_nothing_half_recorded(settings: Settings, session_id: int, folder: Path) -> int:
    certs, mails = run_sync(certificate_state(session_id))
    recorded = [c for c in certs if c["file_path"]]
    for cert in recorded:  # every recorded certificate has its whole file
        pdf = pypdfium2.PdfDocument(str(settings.data_dir / cert["file_path"]))
        pdf.close()
    assert Counter(m["enrollment_id"] for m in mails) == Counter(c["enrollment"] for c in recorded)
    leftovers = [p.name for p in folder.rglob(".tmp-*")]
    assert leftovers == [], "a failed write leaves no temporary file behind"
    return len(recorded)


@pytest.mark.slow
def test_a_full_certificate_disk_stops_the_cli_with_one_clear_line_and_a_rerun_finishes(
    settings: Settings, engine: Any, tiny_certificate_disk: Path
) -> None:
    world = run_sync(make_world())
    enrollments = run_sync(participants(world, 6))
    full = run_issue(settings, world.session_id, "--workers", "1")
    assert full.returncode == 1, full.stdout + full.stderr
    errors = [line for line in full.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "Traceback" not in full.stderr, full.stderr
    assert errors[0].startswith("error: cannot write certificate files to ")
    assert "No space left on device" in errors[0] and "run again" in errors[0]
    recorded = assert_nothing_half_recorded(settings, world.session_id, tiny_certificate_disk)
    assert recorded < len(enrollments)
    print(f"\n{recorded} of {len(enrollments)} recorded before the disk was full: {errors[0]}")

    grow(tiny_certificate_disk)
    rerun = run_issue(settings, world.session_id, "--workers", "1")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_every_teacher_has_one_good_certificate(settings, world, enrollments)


@pytest.mark.slow
def test_a_full_certificate_disk_is_explained_in_chinese_on_the_organiser_page(
    client: Any, settings: Settings, tiny_certificate_disk: Path
) -> None:
    world = run_sync(make_world())
    enrollments = run_sync(participants(world, 5))
    login_as(client, "organiser")
    page_url = f"/admin/certificates/sessions/{world.session_id}"
    progress_url = f"/api/v1/certificates/sessions/{world.session_id}/progress"

    def issue_and_wait() -> dict[str, Any]:
        response = client.post(
            page_url + "/issue",
            data={"_csrf_token": csrf_token(client), "confirm": "1"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            progress: dict[str, Any] = client.get(progress_url).json()
            if not progress["running"]:
                return progress
            time.sleep(0.1)
        raise AssertionError("the batch did not finish")

    progress = issue_and_wait()
    assert progress["error"] == "storage_unwritable"
    page = client.get(page_url)
    assert page.status_code == 200
    assert "无法写入证书文件夹（磁盘已满或为只读）" in page.text
    assert "请腾出空间后再次点击发放" in page.text
    recorded = assert_nothing_half_recorded(settings, world.session_id, tiny_certificate_disk)
    assert progress["rendered"] == recorded < len(enrollments)

    grow(tiny_certificate_disk)
    progress = issue_and_wait()
    assert progress["error"] == "" and progress["rendered"] == len(enrollments), progress
    assert "无法写入证书文件夹" not in client.get(page_url).text
    assert_every_teacher_has_one_good_certificate(settings, world, enrollments)

"""An import shows what it would do to the teacher records (new / unchanged / changes old → new / conflict) and
changes a record only when asked to, audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import BASE_URL, fetch, make_counties, make_session
from tests.enrollment.test_import import _row, _xlsx
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.audit.tables import AuditEntry
from training.enrollment import importing, service
from training.enrollment.tables import Enrollment
from training.people.tables import Teacher, TeacherChangeRequest


def _on_file(counties: list[int]) -> int:
    """Teachers 1..3 registered in an earlier session (from the same row values the file uses)."""
    earlier = run_sync(make_session(counties, capacity=20, title="第9期"))
    file = _xlsx([_row(n) for n in (1, 2, 3)])
    run_sync(importing.run(earlier, "earlier.xlsx", file, base_url=BASE_URL, actor=None))
    return earlier


def _file() -> bytes:
    return _xlsx(
        [
            _row(1),  # unchanged
            _row(2, 手机号="13999990002", 学校="喜德县第一中学", 职称="一级教师"),  # changes
            _row(3, 姓名="李老帅3"),  # same ID, another name: conflict
            _row(4),  # new
        ]
    )


def test_the_dry_run_classifies_each_row_against_the_records(adb: Any) -> None:
    counties = run_sync(make_counties())
    _on_file(counties)
    session = run_sync(make_session(counties, capacity=20))
    result = run_sync(importing.preview(session, "list.xlsx", _file()))
    by_line = {r.line: r for r in result.rows}
    assert [by_line[n].teacher for n in (2, 3, 4, 5)] == ["unchanged", "changes", "conflict", "new"]
    changes = by_line[3].changes
    assert changes["phone"] == ["138****0002", "139****0002"]  # masked
    assert changes["school_name"] == ["喜德县实验小学", "喜德县第一中学"]
    assert changes["title"] == ["二级教师", "一级教师"]
    assert by_line[4].errors == {"name": "id_conflicts_with_record"} and by_line[4].action == "error"
    assert fetch(Enrollment.count().where(Enrollment.session == session)) == 0  # a dry run writes nothing


def test_commit_leaves_changes_pending_unless_asked_to_apply_them(adb: Any) -> None:
    counties = run_sync(make_counties())
    _on_file(counties)
    session = run_sync(make_session(counties, capacity=20))
    before = {t["name"]: t for t in fetch(Teacher.select())}
    result = run_sync(importing.run(session, "list.xlsx", _file(), base_url=BASE_URL, actor=None))
    assert fetch(Enrollment.count().where(Enrollment.session == session)) == 3  # 1, 2 and 4; 3 refused
    after = {t["name"]: t for t in fetch(Teacher.select())}
    for name in ("李老师1", "李老师2", "李老师3"):
        for column in ("name", "phone_hash", "email", "school_name", "title"):
            assert after[name][column] == before[name][column]
    assert "李老帅3" not in after
    pending = fetch(TeacherChangeRequest.select())
    assert len(pending) == 1 and pending[0]["origin"] == "import" and pending[0]["status"] == "pending"
    audit = fetch(AuditEntry.select().where(AuditEntry.action == "import").order_by(AuditEntry.id))[-1]
    changes = audit["changes"] if isinstance(audit["changes"], dict) else json.loads(audit["changes"])
    assert changes["with_changes"] == 1 and changes["conflicts"] == 1 and changes["changes_applied"] == 0
    assert not any(r.applied for r in result.rows)


def test_commit_with_apply_changes_writes_them_audited(adb: Any) -> None:
    counties = run_sync(make_counties())
    _on_file(counties)
    session = run_sync(make_session(counties, capacity=20))
    result = run_sync(
        importing.run(session, "list.xlsx", _file(), base_url=BASE_URL, actor=None, apply_changes=True)
    )
    assert [r.line for r in result.rows if r.applied] == [3]
    teacher = fetch(Teacher.select().where(Teacher.name == "李老师2").first())
    assert teacher["phone_masked"] == "139****0002" and teacher["school_name"] == "喜德县第一中学"
    assert fetch(TeacherChangeRequest.select().first())["status"] == "applied"
    confirmed = fetch(AuditEntry.select().where(AuditEntry.action == "confirm_change").first())
    changes = (
        confirmed["changes"] if isinstance(confirmed["changes"], dict) else json.loads(confirmed["changes"])
    )
    assert changes["phone"] == ["138****0002", "139****0002"] and changes["reason"] == "import list.xlsx"
    assert "13999990002" not in json.dumps(changes)
    # her look-up follows the record
    assert run_sync(service.lookup(teacher_id_number(2), "13999990002", "127.0.0.1"))


def teacher_id_number(n: int) -> str:
    from tests.enrollment.factory import id_number

    return id_number("513432", n)


def test_the_import_page_shows_the_effect_and_the_apply_box_to_organisers(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    _on_file(counties)
    session = run_sync(make_session(counties, capacity=20))
    login_as(client, "organiser")
    page = client.post(
        f"/admin/enrollment/sessions/{session}/import",
        files={"file": ("list.xlsx", _file())},
        data={"_csrf_token": csrf_token(client)},
    )
    assert page.status_code == 200
    text = page.text
    assert "已登记，有修改" in text and "138****0002 → 139****0002" in text and "13999990002" not in text
    assert "与档案冲突" in text and "新教师" in text and 'name="apply_changes"' in text
    stored = text.split('name="stored" value="')[1].split('"')[0]
    done = client.post(
        f"/admin/enrollment/sessions/{session}/import",
        data={"stored": stored, "confirm": "1", "apply_changes": "1", "_csrf_token": csrf_token(client)},
    )
    assert done.status_code == 200
    assert fetch(Teacher.select().where(Teacher.name == "李老师2").first())["phone_masked"] == "139****0002"


def test_the_cli_dry_run_lists_changes_and_commit_needs_the_flag_to_apply(
    adb: Any, settings: Any, tmp_path: Path
) -> None:
    counties = run_sync(make_counties())
    _on_file(counties)
    session = run_sync(make_session(counties, capacity=20))
    path = tmp_path / "list.xlsx"
    path.write_bytes(_file())
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    run = [
        sys.executable,
        "-m",
        "training",
        "enrollment",
        "import",
        "--session",
        str(session),
        str(path),
        "--lang",
        "en",
    ]
    dry = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert "on file, changes" in dry.stdout and "phone: 138****0002 -> 139****0002" in dry.stdout
    assert "13999990002" not in dry.stdout
    assert "1 on file with changes" in dry.stdout and "1 conflicts" in dry.stdout
    done = subprocess.run([*run, "--commit"], env=env, capture_output=True, text=True, timeout=120)
    assert "left pending for confirmation" in done.stdout
    assert fetch(Teacher.select().where(Teacher.name == "李老师2").first())["phone_masked"] == "138****0002"

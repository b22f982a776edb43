"""Bulk import from XLSX/CSV with the Chinese headers counties use: dry run with per-row errors, then import;
re-importing changes nothing; oversized files are refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook

from tests.enrollment.factory import fetch, id_number, make_counties, make_session
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login, login_as
from tests.kit.world import create_user
from training.core.actor import Actor
from training.enrollment import importing
from training.enrollment.tables import Enrollment
from training.mail.tables import OutboxMessage
from training.people.tables import Teacher

ORGANISER = Actor(1, "organiser", "", "organiser")  # the acting organiser (no account row needed)

HEADER = [
    "姓名",
    "性别",
    "民族",
    "身份证号",
    "手机号",
    "邮箱",
    "县区/区划代码",
    "学校",
    "学科",
    "学段",
    "职称",
    "教龄",
]


def _row(n: int, **overrides: Any) -> list[Any]:
    values = {
        "姓名": f"李老师{n}",
        "性别": "女",
        "民族": "彝族",
        "身份证号": id_number("513432", n),
        "手机号": f"1380000{n:04d}",
        "邮箱": f"li{n}@example.org",
        "县区/区划代码": "513432",
        "学校": "喜德县实验小学",
        "学科": "数学",
        "学段": "小学",
        "职称": "二级教师",
        "教龄": 6,
    }
    values.update(overrides)
    return [values[h] for h in HEADER]


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _file_with_bad_rows() -> bytes:
    return _xlsx(
        [
            _row(1),
            _row(2, 身份证号="513432198503070000"),  # bad check digit
            _row(3, 手机号="1234"),
            _row(4, **{"县区/区划代码": "火星县"}),
            _row(5, 邮箱="nope"),
            _row(6, 学段="大学"),
            _row(7, 姓名="喜德县的<b>老师</b>"),
            _row(1),  # the same person twice in one file
        ]
    )


def _upload(client: TestClient[Any], session_id: int, data: bytes, name: str = "名单.xlsx") -> Any:
    return client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        files={"file": (name, data, "application/octet-stream")},
        data={"_csrf_token": csrf_token(client)},
    )


def _stored(html: str) -> str:
    import re

    match = re.search(r'name="stored" value="([0-9a-f]{32}\.(?:xlsx|csv))"', html)
    assert match, "no stored file in the preview"
    return match.group(1)


def _setup(client: TestClient[Any]) -> tuple[list[int], int]:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=30))
    login_as(client, "organiser")
    return counties, session_id


def test_an_xlsx_with_bad_rows_is_previewed_with_per_row_errors_and_nothing_saved(
    client: TestClient[Any],
) -> None:
    _, session_id = _setup(client)
    response = _upload(client, session_id, _file_with_bad_rows())
    assert response.status_code == 200, response.text
    text = response.text
    assert "预检查" in text
    assert "校验位" in text  # row 3: check digit
    assert "11 位大陆手机号" in text  # row 4
    assert "未知县区" in text  # row 5
    assert "正确的邮箱地址" in text  # row 6
    assert "在文件前面已出现" in text  # row 9 duplicates row 2
    assert "&lt;b&gt;" in text and "<b>老师" not in text
    assert fetch(Enrollment.count()) == 0 and fetch(Teacher.count()) == 0


def test_import_adds_the_valid_rows_and_reimporting_changes_nothing(client: TestClient[Any]) -> None:
    _, session_id = _setup(client)
    data = _file_with_bad_rows()
    preview = _upload(client, session_id, data)
    stored = _stored(preview.text)
    done = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        data={"stored": stored, "confirm": "1", "_csrf_token": csrf_token(client)},
    )
    assert done.status_code == 200 and "导入完成" in done.text
    assert fetch(Enrollment.count()) == 2  # rows 1 and 7
    assert fetch(Enrollment.count().where(Enrollment.source == "import")) == 2
    teachers_before = fetch(Teacher.select().order_by(Teacher.id))
    mails_before = fetch(OutboxMessage.count())
    again = _upload(client, session_id, data)
    assert "已报名" in again.text and 'name="stored"' not in again.text  # nothing left to import
    client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        data={"stored": stored, "confirm": "1", "_csrf_token": csrf_token(client)},
    )
    assert fetch(Enrollment.count()) == 2
    assert fetch(Teacher.select().order_by(Teacher.id)) == teachers_before
    assert fetch(OutboxMessage.count()) == mails_before


def test_a_csv_in_gbk_with_county_names_imports(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        session_id = await make_session(counties, capacity=30)
        lines = [",".join(HEADER), ",".join(str(v) for v in _row(1, **{"县区/区划代码": "喜德县"}))]
        data = "\r\n".join(lines).encode("gb18030")
        result = await importing.run(session_id, "名单.csv", data, base_url="http://x", actor=ORGANISER)
        assert [r.action for r in result.rows] == ["confirmed"]

    run_sync(scenario())


def test_an_oversized_file_is_refused_with_a_clear_message(client: TestClient[Any]) -> None:
    _, session_id = _setup(client)
    response = _upload(client, session_id, b"x" * (importing.MAX_BYTES + 10), "big.csv")
    assert response.status_code == 400
    assert "文件过大（最多 2 MB）" in response.text


def test_a_file_without_the_expected_headers_names_the_missing_columns(client: TestClient[Any]) -> None:
    _, session_id = _setup(client)
    response = _upload(client, session_id, "姓名,手机号\n张三,13900000000\n".encode(), "x.csv")
    assert response.status_code == 400
    assert "文件缺少以下列" in response.text and "身份证号" in response.text


def test_the_command_line_import_checks_then_commits(settings: Any, engine: Any, tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=30))
    path = tmp_path / "名单.xlsx"
    path.write_bytes(_file_with_bad_rows())
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
    }
    command = [
        sys.executable,
        "-m",
        "training",
        "enrollment",
        "import",
        "--session",
        str(session_id),
        str(path),
    ]
    dry = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 1, dry.stderr  # rows with errors
    assert "dry run: 8 rows, 6 with errors" in dry.stdout and "校验位" in dry.stdout
    assert fetch(Enrollment.count()) == 0
    done = subprocess.run([*command, "--commit"], env=env, capture_output=True, text=True, timeout=120)
    assert "imported: 8 rows" in done.stdout, done.stderr
    assert fetch(Enrollment.count()) == 2


# --- what an upload leaves at rest ----------------------------------------------------------------------------


def _csv(rows: list[list[Any]]) -> bytes:
    return "\r\n".join(",".join(str(v) for v in row) for row in [HEADER, *rows]).encode()


def _data_dir_bytes(settings: Any) -> bytes:
    """Every byte under the data directory (the SQLite database lives elsewhere in tests)."""
    return b"".join(p.read_bytes() for p in sorted(settings.data_dir.rglob("*")) if p.is_file())


def _uploads(settings: Any) -> list[Any]:
    folder = settings.data_dir / "imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_an_upload_leaves_no_readable_id_number_behind(client: TestClient[Any], settings: Any) -> None:
    _, session_id = _setup(client)
    rows = [_row(1), _row(2)]
    secrets_in_file = [str(r[3]).encode() for r in rows] + [str(r[4]).encode() for r in rows]
    preview = _upload(client, session_id, _csv(rows), "名单.csv")
    stored = _stored(preview.text)
    kept = _uploads(settings)
    assert [p.name for p in kept] == [stored]  # kept for the confirmation: encrypted, private
    assert kept[0].stat().st_mode & 0o777 == 0o600
    at_rest = _data_dir_bytes(settings)
    assert not any(s in at_rest for s in secrets_in_file)
    assert "姓名".encode() not in at_rest
    done = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        data={"stored": stored, "confirm": "1", "_csrf_token": csrf_token(client)},
    )
    assert done.status_code == 200 and fetch(Enrollment.count()) == 2
    assert _uploads(settings) == []  # deleted by the import
    assert not any(s in _data_dir_bytes(settings) for s in secrets_in_file)


def test_refused_uploads_and_dry_runs_with_nothing_to_import_keep_nothing(
    client: TestClient[Any], settings: Any
) -> None:
    _, session_id = _setup(client)
    refused = _upload(client, session_id, "姓名,身份证号\n张三,513432198503070000\n".encode(), "x.csv")
    assert refused.status_code == 400
    only_errors = _upload(client, session_id, _csv([_row(3, 手机号="1234")]), "y.csv")
    assert only_errors.status_code == 200 and 'name="stored"' not in only_errors.text
    assert _uploads(settings) == []


def test_an_upload_is_only_usable_by_its_uploader_and_for_an_hour(
    client: TestClient[Any], settings: Any
) -> None:
    from training.enrollment import uploads

    _, session_id = _setup(client)
    stored = _stored(_upload(client, session_id, _csv([_row(1)]), "名单.csv").text)
    create_user("second-organiser", "organiser")  # another account: the file is bound to its uploader
    login(client, "second-organiser")
    other = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        data={"stored": stored, "confirm": "1", "_csrf_token": csrf_token(client)},
    )
    assert other.status_code == 400 and "重新选择文件" in other.text
    assert fetch(Enrollment.count()) == 0
    assert _uploads(settings) == []  # a refused confirmation drops the file too
    # an hour later the sweep (at start and every few minutes) deletes what was never confirmed
    _upload(client, session_id, _csv([_row(2)]), "名单.csv")
    (settings.data_dir / "imports" / "legacy-plain.csv").write_bytes(_csv([_row(4)]))
    assert uploads.sweep(settings.data_dir) == 1  # the plain file of an older version goes at once
    assert len(_uploads(settings)) == 1
    import time

    assert uploads.sweep(settings.data_dir, now=time.time() + uploads.UPLOAD_TTL_S + 1) == 1
    assert _uploads(settings) == []


# --- imports obey the session's status, window and deadline -----------------------------------------------------


def _confirm(client: TestClient[Any], session_id: int, stored: str, **extra: str) -> Any:
    return client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        data={"stored": stored, "confirm": "1", "_csrf_token": csrf_token(client), **extra},
    )


def _seats_taken(session_id: int) -> int:
    from training.programmes.tables import TrainingSession

    row = fetch(
        TrainingSession.select(TrainingSession.seats_taken).where(TrainingSession.id == session_id).first()
    )
    return int(row["seats_taken"])


def test_a_coordinator_import_into_a_closed_session_is_refused(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=30, status="closed"))
    login_as(client, "coordinator", county_id=counties[1])  # 513432, the county of the rows
    response = _upload(client, session_id, _csv([_row(1)]), "名单.csv")
    assert response.status_code == 400 and "不再接收新学员" in response.text
    assert 'name="override_reason"' not in response.text  # coordinators cannot override
    # Even with an override reason forged into the request, nothing is written.
    forged = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        files={"file": ("名单.csv", _csv([_row(1)]), "text/csv")},
        data={"_csrf_token": csrf_token(client), "override_reason": "补录"},
    )
    assert forged.status_code == 400
    assert fetch(Enrollment.count()) == 0 and _seats_taken(session_id) == 0
    assert fetch(OutboxMessage.count()) == 0


@pytest.mark.parametrize(
    ("session_args", "problem"),
    [
        ({"closes_at": "past"}, "报名已截止"),
        ({"opens_at": "future"}, "报名尚未开始"),
        ({"mode": "nomination", "nomination_deadline": "past"}, "推荐已截止"),
    ],
)
def test_imports_obey_the_registration_window_and_the_nomination_deadline(
    client: TestClient[Any], session_args: dict[str, str], problem: str
) -> None:
    from datetime import UTC, datetime, timedelta

    moments = {
        "past": datetime.now(UTC) - timedelta(minutes=1),
        "future": datetime.now(UTC) + timedelta(days=2),
    }
    counties = run_sync(make_counties())
    args = {k: moments.get(v, v) for k, v in session_args.items()}
    session_id = run_sync(make_session(counties, capacity=30, **args))
    login_as(client, "coordinator", county_id=counties[1])
    response = _upload(client, session_id, _csv([_row(1)]), "名单.csv")
    assert response.status_code == 400 and problem in response.text
    assert fetch(Enrollment.count()) == 0


def test_an_organiser_overrides_a_closed_session_with_a_reason_and_it_is_audited(
    client: TestClient[Any],
) -> None:
    from training.audit.tables import AuditEntry

    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties, capacity=30, status="closed"))
    login_as(client, "organiser")
    refused = _upload(client, session_id, _csv([_row(1)]), "名单.csv")
    assert refused.status_code == 400 and 'name="override_reason"' in refused.text
    reason = "补录 2019 年纸质签到名单"
    preview = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        files={"file": ("名单.csv", _csv([_row(1)]), "text/csv")},
        data={"_csrf_token": csrf_token(client), "override_reason": reason},
    )
    assert preview.status_code == 200, preview.text
    stored = _stored(preview.text)
    assert _confirm(client, session_id, stored).status_code == 400  # the reason travels with the confirmation
    preview = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        files={"file": ("名单.csv", _csv([_row(1)]), "text/csv")},
        data={"_csrf_token": csrf_token(client), "override_reason": reason},
    )
    stored = _stored(preview.text)
    assert f'name="override_reason" value="{reason}"' in preview.text
    done = _confirm(client, session_id, stored, override_reason=reason)
    assert done.status_code == 200 and fetch(Enrollment.count()) == 1
    entry = fetch(AuditEntry.select().where(AuditEntry.action == "import").output(load_json=True).first())
    assert entry["changes"]["override"] == {"problem": "session_not_taking_participants", "reason": reason}


def test_an_organiser_nominates_past_the_deadline_only_with_a_reason(client: TestClient[Any]) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.enrollment.factory import registration
    from training.audit.tables import AuditEntry

    counties = run_sync(make_counties())
    session_id = run_sync(
        make_session(
            counties,
            capacity=6,
            mode="nomination",
            nomination_deadline=datetime.now(UTC) - timedelta(minutes=1),
        )
    )
    login_as(client, "organiser")
    values = {**registration(counties[0], 1), "_csrf_token": csrf_token(client)}
    refused = client.post(f"/nominations/{session_id}", data=values, follow_redirects=False)
    assert refused.status_code == 409 and 'name="override_reason"' in refused.text
    values["override_reason"] = "县教育局 9 月 2 日补报"
    done = client.post(f"/nominations/{session_id}", data=values, follow_redirects=False)
    assert done.status_code == 302, done.text
    entry = fetch(AuditEntry.select().where(AuditEntry.action == "nominate").output(load_json=True).first())
    assert entry["changes"]["override"] == {
        "problem": "nomination_closed",
        "reason": "县教育局 9 月 2 日补报",
    }

"""The 学时 ledger: rows equal a recount from check-ins and blocks; full ID numbers only in organisers'
downloads, each audited; configurable column layout."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.certificates.factory import make_teacher, make_world
from tests.kit.sync import run_sync
from tests.kit.web import login_as
from training import db
from training.audit.tables import AuditEntry
from training.certificates import batch
from training.certificates.tables import Certificate
from training.checkin.tables import CheckIn
from training.config import ConfigError, Settings, load_settings
from training.enrollment.tables import Enrollment
from training.ledger import columns as layout
from training.ledger import service
from training.people import service as people
from training.people.tables import Teacher
from training.programmes.tables import Block


class Rollback(Exception):
    pass


BLOCK_HOURS = st.sampled_from([1.5, 2.0, 3.0, 3.5])


async def recount(session_id: int) -> dict[int, float]:
    """Hours per confirmed enrollment, counted plainly from the check-in and block rows."""
    blocks = {b["id"]: b for b in await Block.select().where(Block.session == session_id)}
    confirmed = {
        e["id"]
        for e in await Enrollment.select(Enrollment.id).where(
            (Enrollment.session == session_id) & (Enrollment.status == "confirmed")
        )
    }
    hours: dict[int, float] = {}
    for ci in await CheckIn.select().where(CheckIn.block.is_in(list(blocks) or [0])):
        block = blocks[ci["block"]]
        if ci["enrollment"] in confirmed and not block["cancelled"]:
            hours[ci["enrollment"]] = hours.get(ci["enrollment"], 0.0) + block["hours"]
    return {e: round(h, 2) for e, h in hours.items() if h > 0}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    block_hours=st.lists(BLOCK_HOURS, min_size=1, max_size=6),
    cancelled=st.lists(st.booleans(), min_size=6, max_size=6),
    teachers=st.lists(
        st.tuples(
            st.sampled_from(["confirmed", "confirmed", "cancelled"]),
            st.lists(st.booleans(), min_size=6, max_size=6),
        ),
        min_size=0,
        max_size=6,
    ),
)
def test_ledger_rows_equal_a_recount_from_check_ins_and_blocks(
    engine: Any, block_hours: list[float], cancelled: list[bool], teachers: list[tuple[str, list[bool]]]
) -> None:
    async def scenario() -> None:
        # One transaction per example, rolled back: every example starts from the same empty database.
        try:
            async with db.transaction():
                await example()
                raise Rollback
        except Rollback:
            pass

    async def example() -> None:
        world = await make_world(blocks=len(block_hours))
        for block_id, hours, off in zip(world.blocks, block_hours, cancelled, strict=False):
            await Block.update({Block.hours: hours, Block.cancelled: off}).where(Block.id == block_id)
        for status, attended in teachers:
            _, enrollment = await make_teacher(world)
            await Enrollment.update({Enrollment.status: status}).where(Enrollment.id == enrollment)
            rows = [
                CheckIn(
                    enrollment=enrollment,
                    block=block_id,
                    scanned_at=datetime(2019, 7, 15, tzinfo=UTC),
                    client_id=f"p-{enrollment}-{block_id}",
                )
                for block_id, present in zip(world.blocks, attended, strict=False)
                if present
            ]
            if rows:
                await CheckIn.insert(*rows)
        expected = await recount(world.session_id)
        ledger = await service.session_rows(world.session_id)
        assert {r.enrollment_id: r.hours for r in ledger} == expected
        assert len(ledger) == len(expected)  # one row per enrollment, nobody twice
        in_year = {
            r.enrollment_id: r.hours for r in await service.year_rows(2019) if r.enrollment_id in expected
        }
        assert in_year == expected

    run_sync(scenario())


async def _full_id(enrollment_id: int) -> str:
    row = await Enrollment.select(Enrollment.teacher).where(Enrollment.id == enrollment_id).first()
    teacher = await Teacher.select().where(Teacher.id == row["teacher"]).first()
    return people.reveal_id_number(teacher)


def _world_with_attendance(settings_: Settings) -> tuple[Any, list[int]]:
    world = run_sync(make_world())
    enrollments = []
    for name, blocks in (("王芳", 8), ("张三梅", 3)):
        _, enrollment = run_sync(make_teacher(world, name))
        run_sync(
            CheckIn.insert(
                *[
                    CheckIn(
                        enrollment=enrollment,
                        block=b,
                        scanned_at=datetime(2019, 7, 15, tzinfo=UTC),
                        client_id=f"l-{enrollment}-{b}",
                    )
                    for b in world.blocks[:blocks]
                ]
            ).run()
        )
        enrollments.append(enrollment)
    run_sync(batch.issue_session(world.session_id, settings_, workers=1))
    return world, enrollments


def test_organiser_downloads_carry_full_id_numbers_and_are_audited(client: Any, settings: Settings) -> None:
    world, (full, short) = _world_with_attendance(settings)
    ids = {e: run_sync(_full_id(e)) for e in (full, short)}
    serial = run_sync(
        Certificate.select(Certificate.serial).where(Certificate.enrollment == full).first().run()
    )["serial"]
    login_as(client, "organiser")

    page = client.get(f"/admin/ledger?session={world.session_id}")
    assert page.status_code == 200
    assert all(full_id not in page.text for full_id in ids.values())  # masked on screen
    assert "王芳" in page.text and serial in page.text
    assert run_sync(AuditEntry.count().where(AuditEntry.action == "download_hours_ledger").run()) == 0

    xlsx = client.get(f"/admin/ledger/sessions/{world.session_id}/xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(layout.FIELDS.values())
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["王芳"][1] == ids[full] and isinstance(by_name["王芳"][1], str)
    assert by_name["王芳"][10] == 24 and by_name["王芳"][11] == serial
    assert by_name["张三梅"][10] == 9 and by_name["张三梅"][11] in (
        None,
        "",
    )  # short of hours: no certificate
    assert by_name["王芳"][2] == "剑阁县" and by_name["王芳"][3].startswith("剑阁县实验小学")
    assert by_name["王芳"][6] == "第9期暑期教师培训班" and by_name["王芳"][7] == "2019-07-15"
    assert by_name["王芳"][9] == settings.organisation_name

    csv_response = client.get("/admin/ledger/years/2019/csv")
    assert csv_response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert {r[1] for r in table[1:]} >= set(ids.values())

    entries = run_sync(
        AuditEntry.select().where(AuditEntry.action == "download_hours_ledger").order_by(AuditEntry.id).run()
    )
    assert [(e["entity"], e["entity_id"]) for e in entries] == [
        ("session", str(world.session_id)),
        ("year", "2019"),
    ]
    changes = [e["changes"] if isinstance(e["changes"], dict) else json.loads(e["changes"]) for e in entries]
    assert (
        changes[0]["format"] == "xlsx" and changes[0]["rows"] == 2 and changes[0]["full_id_numbers"] is True
    )
    assert client.get(f"/admin/ledger/sessions/{world.session_id}/pdf").status_code == 404
    log = client.get("/admin/audit").text  # the audit log reads it as a sentence
    assert "下载了" in log and "学时台账（含完整身份证号）" in log and "年度 #2019" in log


def test_coordinators_and_the_public_get_no_ledger(client: Any, settings: Settings) -> None:
    world, _ = _world_with_attendance(settings)
    assert client.get(
        f"/admin/ledger/sessions/{world.session_id}/csv", follow_redirects=False
    ).status_code in (302, 303, 401)
    login_as(client, "coordinator", world.county_id)
    assert client.get(f"/admin/ledger/sessions/{world.session_id}/csv").status_code == 403
    assert run_sync(AuditEntry.count().where(AuditEntry.action == "download_hours_ledger").run()) == 0


def test_the_column_layout_follows_the_provinces_file(client: Any, settings: Settings) -> None:
    world, _ = _world_with_attendance(settings)
    (settings.data_dir / "ledger_columns.json").write_text(
        json.dumps(
            {
                "columns": [
                    {"key": "id_number", "title": "证件号码"},
                    {"key": "name", "title": "教师姓名"},
                    {"key": "hours"},
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    login_as(client, "organiser")
    table = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/ledger/sessions/{world.session_id}/csv").content.decode("utf-8-sig")
            )
        )
    )
    assert table[0] == ["证件号码", "教师姓名", "学时"]
    assert sorted(r[1:] for r in table[1:]) == [["张三梅", "9.0"], ["王芳", "24.0"]]


def test_a_bad_layout_is_refused_with_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(layout.LayoutError, match="unknown key 'phone'"):
        layout.parse({"columns": [{"key": "phone", "title": "手机"}]})
    with pytest.raises(layout.LayoutError, match="listed twice"):
        layout.parse({"columns": [{"key": "name"}, {"key": "name"}]})
    bad = tmp_path / "layout.json"
    bad.write_text('{"columns": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="TRAINING_LEDGER_COLUMNS"):
        load_settings(
            {
                "TRAINING_LEDGER_COLUMNS": str(bad),
                "TRAINING_DATA_DIR": str(tmp_path),
                "TRAINING_SECRET_KEY": "k" * 40,
            }
        )

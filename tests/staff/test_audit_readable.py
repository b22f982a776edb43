"""The audit log reads as sentences: one name per person, field labels, status and county names, old → new;
filters by person, session and kind; CSV and XLSX exports; command-line actions named as such."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from tests.kit.sync import run_sync
from tests.kit.web import login
from tests.kit.world import create_user
from tests.scheduling.factories import block, county, programme, session_draft
from training.audit import writer as audit
from training.audit.tables import AuditEntry
from training.core.actor import Actor
from training.programmes import service


def _world() -> tuple[int, int, int]:
    """An organiser (renamed after acting) publishes a session with a quota for Jiange; returns ids."""
    user_id = create_user("li", "organiser")
    actor = Actor(user_id=user_id, username="li", display_name="organiser", role="organiser")

    async def build() -> tuple[int, int]:
        cid = await county()
        pid = await programme()
        sid = await service.create_session(actor, session_draft(pid))
        await service.set_quotas(actor, sid, {cid: 10}, None)
        await service.add_blocks(actor, sid, [block()])
        await service.set_status(actor, sid, "published")
        from training.accounts.tables import StaffUser

        # the same person under a new display name: the log shows one name, today's
        await StaffUser.update({StaffUser.display_name: "项目组 李老师"}).where(StaffUser.id == user_id)
        return sid, cid

    sid, cid = run_sync(build())
    return user_id, sid, cid


def test_entries_read_as_chinese_sentences_with_labels_and_names(client: Any) -> None:
    _world()
    login(client, "li")
    page = client.get("/admin/audit")
    assert page.status_code == 200
    text = page.text
    assert "项目组 李老师 发布了培训班“第10期暑期教师培训班”" in text
    assert '草稿</span> → <span class="after">已发布' in text  # status names, not codes
    assert "剑阁县的名额" in text  # county names, not a dict of ids
    assert "draft →" not in text and "{&#39;" not in text and ">organiser<" not in text
    english = client.get("/admin/audit?lang=en").text
    assert "项目组 李老师 published session “第10期暑期教师培训班”" in english


def test_the_log_filters_by_person_session_and_kind(client: Any) -> None:
    user_id, sid, _ = _world()
    run_sync(audit.record(None, "import", "county", "", {"created": 3}))
    login(client, "li")
    by_person = client.get(f"/admin/audit?person={user_id}").text
    assert "发布了培训班" in by_person and "导入了" not in by_person
    by_session = client.get(f"/admin/audit?session={sid}").text
    assert "发布了培训班" in by_session and "新建了日程时段" not in by_session
    by_kind = client.get("/admin/audit?entity=block").text
    assert "新建了日程时段" in by_kind and "发布了培训班" not in by_kind
    system = client.get("/admin/audit?person=system").text
    assert "系统 导入了" in system and "发布了" not in system


def test_command_line_actions_are_named_as_such(client: Any) -> None:
    _world()
    audit.mark_command_line()
    try:
        run_sync(audit.record(None, "import", "county", "", {"created": 3, "updated": 0}))
    finally:
        audit._origin["name"] = "system"
    row = run_sync(AuditEntry.select().order_by(AuditEntry.id, ascending=False).first())
    assert row["actor_name"] == "command line"
    login(client, "li")
    text = client.get("/admin/audit?person=cli").text
    assert "命令行 导入了一份县区名单" in text


def test_the_filtered_log_exports_as_csv_and_xlsx(client: Any) -> None:
    _, sid, _ = _world()
    login(client, "li")
    csv = client.get(f"/admin/audit/export.csv?session={sid}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "项目组 李老师 发布了培训班“第10期暑期教师培训班”" in body and "状态: 草稿 → 已发布" in body
    xlsx = client.get(f"/admin/audit/export.xlsx?session={sid}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "内容", "变更")
    assert any("发布了培训班" in (r[2] or "") for r in rows[1:])
    assert client.get("/admin/audit/export.pdf").status_code == 404
    exported = run_sync(AuditEntry.select().where(AuditEntry.action == "export"))
    assert len(exported) == 2  # an export of the log is itself recorded

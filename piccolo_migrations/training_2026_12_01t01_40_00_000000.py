"""Pending changes to a teacher's record and one-time codes that prove them (docs/people.md). Frozen copies of
the tables as they are created here; Piccolo writes each engine's DDL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-12-01T01:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "teacher change requests and contact codes"


class Teacher(Table, tablename="teacher"):
    id: Serial


class TeacherChangeRequest(Table, tablename="teacher_change_request"):
    id: Serial
    teacher = ForeignKey(Teacher, on_delete=OnDelete.cascade, index=True)
    enrollment_id = Integer(null=True, default=None, index=True)
    origin = Varchar(length=16)
    status = Varchar(length=16, default="pending", index=True)
    proposed_encrypted = Text()
    summary = JSON(default={})
    requested_by = Integer(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decided_via = Varchar(length=16, default="")
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class TeacherContactCode(Table, tablename="teacher_contact_code"):
    id: Serial
    teacher = ForeignKey(Teacher, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16)
    change_request = Integer(null=True, default=None)
    channel = Varchar(length=8)
    target_masked = Varchar(length=254, default="")
    value_encrypted = Text(default="")
    code_hash = Varchar(length=96)
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        await TeacherChangeRequest.create_table(if_not_exists=True)
        await TeacherContactCode.create_table(if_not_exists=True)

    manager.add_raw(run)
    return manager

"""Attendance corrections, the columns: a block's check-in window (minutes before its start, after its end), the
session's rule for excused blocks, and what voids a check-in (when, by whom, why). Constraints, the marks table,
the partial unique index and the attendance view are the next migration (Piccolo runs raw steps first)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance corrections: check-in windows, excused rule, voided check-ins"


def _params(default: object, *, length: int | None = None, null: bool = False) -> dict:
    params = {
        "default": default,
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    if length is not None:
        params["length"] = length
    return params


COLUMNS = {
    ("Block", "block"): [
        ("checkin_before_minutes", Integer, _params(30)),
        ("checkin_after_minutes", Integer, _params(0)),
    ],
    ("TrainingSession", "training_session"): [
        ("excused_counts", Boolean, _params(False)),
    ],
    ("CheckIn", "check_in"): [
        ("voided_at", Timestamptz, _params(None, null=True)),
        ("voided_by", Integer, _params(None, null=True)),
        ("voided_by_name", Varchar, _params("", length=64)),
        ("void_reason", Varchar, _params("", length=500)),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    for (class_name, tablename), columns in COLUMNS.items():
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager

"""Notifications: a teacher's channel preference and opt-out, per-session reminder plans, and the record of each
reminder queued (its unique index is the next migration: Piccolo runs raw steps before it creates tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T01:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: preferences, reminder plans, reminders sent"


def _params(default: object, *, length: int | None = None, unique: bool = False) -> dict:
    params = {
        "default": default,
        "null": False,
        "primary_key": False,
        "unique": unique,
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
    ("NotifyPreference", "notify_preference"): [
        ("teacher", Integer, _params(0, unique=True)),
        ("channel", Varchar, _params("sms", length=8)),
        ("essential_only", Boolean, _params(False)),
        ("updated_at", Timestamptz, _params(TimestamptzNow())),
    ],
    ("ReminderPlan", "reminder_plan"): [
        ("session", Integer, _params(0, unique=True)),
        ("slots", Varchar, _params("", length=128)),
    ],
    ("ReminderSent", "reminder_sent"): [
        ("enrollment", Integer, _params(0)),
        ("slot", Varchar, _params("", length=16)),
        ("created_at", Timestamptz, _params(TimestamptzNow())),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    for (class_name, tablename), columns in COLUMNS.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
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

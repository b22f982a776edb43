"""Change notices waiting for the organiser's preview (change_notice)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T02:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: change notices"


def _params(default: object, *, length: int | None = None, index: bool = False, null: bool = False) -> dict:
    params = {
        "default": default,
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": index,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    if length is not None:
        params["length"] = length
    return params


COLUMNS = [
    ("session", Integer, _params(0, index=True)),
    ("subject", Varchar, _params("", length=32)),
    ("old_text", Text, _params("")),
    ("new_text", Text, _params("")),
    ("status", Varchar, _params("draft", length=12)),
    ("recipients", Integer, _params(0)),
    ("created_at", Timestamptz, _params(TimestamptzNow())),
    ("sent_at", Timestamptz, _params(None, null=True)),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    manager.add_table(class_name="ChangeNotice", tablename="change_notice", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="ChangeNotice",
            tablename="change_notice",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager

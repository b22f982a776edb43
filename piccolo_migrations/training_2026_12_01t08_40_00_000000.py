"""A nominee's own answer to her nomination (enrollment.nominee_answer, nominee_answered_at); its CHECK constraint
follows in 2026-12-01T08:40:01."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "nominations: the nominee's answer"


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


COLUMNS = [
    ("nominee_answer", Varchar, _params("", length=16)),
    ("nominee_answered_at", Timestamptz, _params(None, null=True)),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="Enrollment",
            tablename="enrollment",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager

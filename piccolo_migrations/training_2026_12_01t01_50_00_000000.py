"""Per session: whether county coordinators may download their teachers' full phone numbers and e-mails
(training/enrollment/rosters.py). Off for every existing session: coordinators' exports are masked until an
organiser allows it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T01:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "training_session.coordinators_get_contacts"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    manager.add_column(
        table_class_name="TrainingSession",
        tablename="training_session",
        column_name="coordinators_get_contacts",
        db_column_name="coordinators_get_contacts",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager

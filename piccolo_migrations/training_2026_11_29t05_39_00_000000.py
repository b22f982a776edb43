"""The enrollment's profile snapshot: name as printed, school, subject, grade band, title (see
training/enrollment/snapshots.py). Empty here; the backfill from each enrollment's teacher, and the statistics
reading the enrollment's subject, follow in the migration of 2026-12-01T01:30:00.

Its ID sorts before the statistics migration (05:40) on purpose: that one installs the statistics SQL of
training/stats/schema.py as it is today, which reads `enrollment.subject`, so on a fresh database these columns
must exist first. On an existing database Piccolo runs it as one more migration not yet run (it applies every
missing ID in order), before the backfill.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T05:39:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "enrollment profile snapshot columns"

COLUMNS = {"teacher_name": 64, "school_name": 128, "subject": 32, "grade_band": 16, "teacher_title": 32}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    for name, length in COLUMNS.items():
        manager.add_column(
            table_class_name="Enrollment",
            tablename="enrollment",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": length,
                "default": "",
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

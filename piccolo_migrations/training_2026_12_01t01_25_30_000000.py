"""A staff account is assigned to a session at most once: a unique index (SQLite cannot ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T01:25:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique staff assignment per session"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS staff_assignment_user_session ON "staff_assignment" ("user", "session")'
        )

    manager.add_raw(run)
    return manager

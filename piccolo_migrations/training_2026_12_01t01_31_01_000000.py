"""Each reminder once: a unique index on (enrollment, slot) of reminder_sent (SQLite cannot ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T01:31:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminder_sent: once per enrollment and slot"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS reminder_sent_once ON "reminder_sent" ("enrollment", "slot")'
        )

    manager.add_raw(run)
    return manager

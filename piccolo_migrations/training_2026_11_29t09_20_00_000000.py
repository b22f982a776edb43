"""The waiting-list position (`COUNT(*)` of those ahead) read through a partial index of the waiting entries of
one session, instead of filtering every enrollment of the session (bench/enroll_rush.py: it was ~0.4 ms of
PostgreSQL CPU per waitlisted registration in a rush). Same SQL on both engines.

SQLite also gets its statistics triggers on stats_fact recreated: the teacher-year recount now names the teacher
index (without it SQLite read every fact row of the county on each first check-in). Like the statistics migration
before it, this takes the trigger text from training/stats/schema.py."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index for waiting-list positions"

STATEMENT = (
    'CREATE INDEX IF NOT EXISTS enrollment_waitlist_position ON "enrollment" ("session", "waitlist_seq") '
    "WHERE \"status\" = 'waitlisted'"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(STATEMENT)
        from piccolo.engine.sqlite import SQLiteEngine

        if isinstance(engine, SQLiteEngine):
            from training.stats import schema

            for name in schema.SQLITE_FACT_TRIGGERS:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
            for statement in schema.SQLITE_FACT_TRIGGERS.values():
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

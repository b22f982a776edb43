"""Statistics on PostgreSQL: an enrollment update queues a fact refresh only when it changes a column the fact
row reads (session, teacher, county, school, status, subject), not for its waiting-list number or timestamps.
SQLite's triggers are unchanged. The trigger's SQL is frozen here."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics: the enrollment trigger watches only the columns facts read (PostgreSQL)"

TRIGGER = (
    "CREATE TRIGGER stats_enrollment_t AFTER INSERT OR DELETE OR UPDATE OF session, teacher, county, school, "
    "status, subject ON enrollment FOR EACH ROW EXECUTE FUNCTION stats_on_enrollment()"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        if isinstance(engine, SQLiteEngine):
            return
        await engine.run_ddl('DROP TRIGGER IF EXISTS stats_enrollment_t ON "enrollment"')
        await engine.run_ddl(TRIGGER)

    manager.add_raw(run)
    return manager

"""Statistics on PostgreSQL: check-ins queue their enrollment in stats_pending instead of refreshing its fact row
in the scan's transaction (see training/stats/schema.py). SQLite is unchanged.

Frozen SQL (not imported from training/stats/schema.py), so that later changes there do not rewrite history.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics: deferred refresh of check-ins on PostgreSQL"

STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS stats_pending (id BIGSERIAL PRIMARY KEY, enrollment INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS stats_pending_enrollment ON stats_pending (enrollment)",
    """CREATE OR REPLACE FUNCTION stats_on_check_in() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO stats_pending (enrollment) VALUES (OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO stats_pending (enrollment) VALUES (NEW.enrollment); END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_apply_pending(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      DELETE FROM stats_pending WHERE enrollment = eid;
      PERFORM stats_fact_refresh(eid);
    END $$""",
    'DROP TRIGGER IF EXISTS stats_check_in_t ON "check_in"',
    "CREATE TRIGGER stats_check_in_t AFTER INSERT OR UPDATE OR DELETE ON check_in FOR EACH ROW "
    "EXECUTE FUNCTION stats_on_check_in()",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        assert engine is not None
        if isinstance(engine, SQLiteEngine):
            return
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

"""Statistics on PostgreSQL: check-ins and enrollments queue the enrollment in stats_pending instead of refreshing
its fact row in the writer's transaction (see training/stats/schema.py). SQLite is unchanged.

Frozen SQL (not imported from training/stats/schema.py), so that later changes there do not rewrite history.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics: deferred refresh of check-ins and enrollments on PostgreSQL"

STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS stats_pending (id BIGSERIAL PRIMARY KEY, enrollment INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS stats_pending_enrollment ON stats_pending (enrollment)",
    """CREATE OR REPLACE FUNCTION stats_on_check_in() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO stats_pending (enrollment) VALUES (OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO stats_pending (enrollment) VALUES (NEW.enrollment); END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        INSERT INTO stats_pending (enrollment) VALUES (OLD.id);
      ELSE
        INSERT INTO stats_pending (enrollment) VALUES (NEW.id);
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_apply_pending(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      -- Every queued row committed before this DELETE is also seen by the statements after it; a row
      -- committed later stays queued for the next round.
      DELETE FROM stats_pending WHERE enrollment = eid;
      IF NOT EXISTS (SELECT 1 FROM enrollment WHERE id = eid) THEN
        DELETE FROM stats_fact WHERE enrollment = eid;
        RETURN;
      END IF;
      
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, COALESCE(t.subject, '')
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    JOIN teacher t ON t.id = e.teacher
    WHERE e.id = eid
      ON CONFLICT (enrollment) DO UPDATE SET session = excluded.session, teacher = excluded.teacher,
        county = excluded.county, school = excluded.school, status = excluded.status, year = excluded.year,
        programme = excluded.programme, subject = excluded.subject
      WHERE (stats_fact.session, stats_fact.teacher, stats_fact.county, stats_fact.school, stats_fact.status,
             stats_fact.year, stats_fact.programme, stats_fact.subject)
        IS DISTINCT FROM (excluded.session, excluded.teacher, excluded.county, excluded.school, excluded.status,
                          excluded.year, excluded.programme, excluded.subject);
      PERFORM stats_fact_refresh(eid);
    END $$""",
    'DROP TRIGGER IF EXISTS stats_check_in_t ON "check_in"',
    "CREATE TRIGGER stats_check_in_t AFTER INSERT OR UPDATE OR DELETE ON check_in FOR EACH ROW EXECUTE FUNCTION stats_on_check_in()",
    'DROP TRIGGER IF EXISTS stats_enrollment_t ON "enrollment"',
    "CREATE TRIGGER stats_enrollment_t AFTER INSERT OR UPDATE OR DELETE ON enrollment FOR EACH ROW EXECUTE FUNCTION stats_on_enrollment()",
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

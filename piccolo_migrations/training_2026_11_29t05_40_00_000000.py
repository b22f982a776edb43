"""Statistics: the stats_fact table (one row per enrollment), its indexes and the triggers that maintain it.

Hand-written: the table is created with raw SQL and kept out of Piccolo's registry (see training/stats/schema.py),
and triggers differ between SQLite and PostgreSQL. The statements are frozen here as literal text (what
`training.stats.schema.install` emitted on 2026-12-01), so later changes to that module do not rewrite what this
migration does; the migrations after it bring the schema to its current state.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-29T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics fact table and triggers"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager


SQLITE = [
    """
CREATE TABLE IF NOT EXISTS stats_fact (
    enrollment INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    teacher INTEGER NOT NULL,
    county INTEGER NOT NULL,
    school INTEGER NULL,
    status VARCHAR(16) NOT NULL,
    year INTEGER NOT NULL,
    programme INTEGER NOT NULL,
    subject VARCHAR(32) NOT NULL DEFAULT '',
    checkins INTEGER NOT NULL DEFAULT 0,
    hours DOUBLE PRECISION NOT NULL DEFAULT 0,
    certified INTEGER NOT NULL DEFAULT 0
)
""",
    """CREATE TABLE IF NOT EXISTS stats_cell (
    county INTEGER NOT NULL, year INTEGER NOT NULL, programme INTEGER NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0, confirmed INTEGER NOT NULL DEFAULT 0, attended INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0, hours DOUBLE PRECISION NOT NULL DEFAULT 0)""",
    'CREATE UNIQUE INDEX IF NOT EXISTS stats_cell_key ON stats_cell (county, year, programme)',
    """CREATE TABLE IF NOT EXISTS stats_cell_delta (
    county INTEGER NOT NULL, year INTEGER NOT NULL, programme INTEGER NOT NULL,
    registered INTEGER NOT NULL, confirmed INTEGER NOT NULL, attended INTEGER NOT NULL,
    completed INTEGER NOT NULL, hours DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stats_teacher_years (
    county INTEGER NOT NULL, teacher INTEGER NOT NULL, programme INTEGER NOT NULL, years_mask BIGINT NOT NULL)""",
    'CREATE UNIQUE INDEX IF NOT EXISTS stats_teacher_years_key ON stats_teacher_years (county, teacher, programme)',
    'CREATE INDEX IF NOT EXISTS stats_teacher_years_programme ON stats_teacher_years (programme, county, years_mask)',
    'CREATE INDEX IF NOT EXISTS stats_teacher_years_teacher ON stats_teacher_years (programme, teacher, years_mask)',
    'CREATE INDEX IF NOT EXISTS stats_fact_session ON stats_fact (session)',
    'CREATE INDEX IF NOT EXISTS stats_fact_teacher ON stats_fact (teacher, year)',
    'CREATE INDEX IF NOT EXISTS stats_fact_county_year ON stats_fact (county, year, programme)',
    'CREATE INDEX IF NOT EXISTS stats_fact_school ON stats_fact (school)',
    'CREATE INDEX IF NOT EXISTS stats_fact_session_attended ON stats_fact (session, county) WHERE checkins > 0',
    'DROP TRIGGER IF EXISTS stats_enrollment_ai',
    'DROP TRIGGER IF EXISTS stats_enrollment_au',
    'DROP TRIGGER IF EXISTS stats_enrollment_ad',
    'DROP TRIGGER IF EXISTS stats_check_in_ai',
    'DROP TRIGGER IF EXISTS stats_check_in_au',
    'DROP TRIGGER IF EXISTS stats_check_in_ad',
    'DROP TRIGGER IF EXISTS stats_certificate_ai',
    'DROP TRIGGER IF EXISTS stats_certificate_au',
    'DROP TRIGGER IF EXISTS stats_certificate_ad',
    'DROP TRIGGER IF EXISTS stats_block_au',
    'DROP TRIGGER IF EXISTS stats_session_au',
    'DROP TRIGGER IF EXISTS stats_fact_ai',
    'DROP TRIGGER IF EXISTS stats_fact_ad',
    'DROP TRIGGER IF EXISTS stats_fact_au',
    'DROP TRIGGER IF EXISTS stats_fact_au_years',
    'DELETE FROM stats_cell_delta',
    'DELETE FROM stats_cell',
    'DELETE FROM stats_teacher_years',
    'DELETE FROM stats_fact',
    """
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject,
                            checkins, hours, certified)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject,
           COALESCE(a.n, 0), COALESCE(a.h, 0), CASE WHEN r.id IS NULL THEN 0 ELSE 1 END
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    LEFT JOIN (SELECT c.enrollment, COUNT(*) AS n, SUM(b.hours) AS h
               FROM check_in c JOIN block b ON b.id = c.block
               WHERE b.cancelled = FALSE GROUP BY c.enrollment) a ON a.enrollment = e.id
    LEFT JOIN certificate r ON r.enrollment = e.id AND r.revoked_at IS NULL""",
    """INSERT INTO stats_cell (county, year, programme, registered, confirmed, attended, completed, hours)
    SELECT county, year, programme, COUNT(*), SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
           SUM(CASE WHEN checkins > 0 THEN 1 ELSE 0 END), SUM(certified), SUM(hours)
    FROM stats_fact GROUP BY county, year, programme""",
    """INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
    SELECT f.county, f.teacher, f.programme, SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f
    WHERE f.checkins > 0 GROUP BY f.county, f.teacher, f.programme""",
    """INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
    SELECT f.county, f.teacher, 0, SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f
    WHERE f.checkins > 0 GROUP BY f.county, f.teacher""",
    """CREATE TRIGGER IF NOT EXISTS stats_enrollment_ai AFTER INSERT ON enrollment BEGIN
      
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    WHERE e.id = NEW.id; 
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.id AND r.revoked_at IS NULL)
    WHERE enrollment = NEW.id; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_enrollment_au AFTER UPDATE ON enrollment BEGIN
      DELETE FROM stats_fact WHERE enrollment = OLD.id;
      
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    WHERE e.id = NEW.id; 
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.id AND r.revoked_at IS NULL)
    WHERE enrollment = NEW.id; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_enrollment_ad AFTER DELETE ON enrollment BEGIN
      DELETE FROM stats_fact WHERE enrollment = OLD.id; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_check_in_ai AFTER INSERT ON check_in BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = NEW.enrollment; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_check_in_au AFTER UPDATE ON check_in BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = OLD.enrollment; 
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = NEW.enrollment; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_check_in_ad AFTER DELETE ON check_in BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = OLD.enrollment; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_certificate_ai AFTER INSERT ON certificate BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = NEW.enrollment; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_certificate_au AFTER UPDATE ON certificate BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = OLD.enrollment; 
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = NEW.enrollment; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_certificate_ad AFTER DELETE ON certificate BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment = OLD.enrollment; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_block_au AFTER UPDATE OF hours, cancelled ON block BEGIN
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = stats_fact.enrollment AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = stats_fact.enrollment AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = stats_fact.enrollment AND r.revoked_at IS NULL)
    WHERE enrollment IN (SELECT enrollment FROM check_in WHERE block = NEW.id);
      END""",
    """CREATE TRIGGER IF NOT EXISTS stats_session_au
      AFTER UPDATE OF year, programme ON training_session BEGIN UPDATE stats_fact SET year = NEW.year, programme = NEW.programme WHERE session = NEW.id; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_fact_ai AFTER INSERT ON stats_fact BEGIN
      INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (NEW.county, NEW.year, NEW.programme, 1,
            (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END),
            (CASE WHEN NEW.checkins > 0 THEN 1 ELSE 0 END), NEW.certified, NEW.hours); INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (NEW.county, NEW.teacher, NEW.programme,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = NEW.county AND f.teacher = NEW.teacher AND (NEW.programme = 0 OR f.programme = NEW.programme)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (NEW.county, NEW.teacher, 0,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = NEW.county AND f.teacher = NEW.teacher AND (0 = 0 OR f.programme = 0)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; DELETE FROM stats_teacher_years WHERE county = NEW.county AND teacher = NEW.teacher AND years_mask = 0; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_fact_ad AFTER DELETE ON stats_fact BEGIN
      INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (OLD.county, OLD.year, OLD.programme, -1,
            -(CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.checkins > 0 THEN 1 ELSE 0 END), -OLD.certified, -OLD.hours); INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (OLD.county, OLD.teacher, OLD.programme,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = OLD.county AND f.teacher = OLD.teacher AND (OLD.programme = 0 OR f.programme = OLD.programme)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (OLD.county, OLD.teacher, 0,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = OLD.county AND f.teacher = OLD.teacher AND (0 = 0 OR f.programme = 0)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; DELETE FROM stats_teacher_years WHERE county = OLD.county AND teacher = OLD.teacher AND years_mask = 0; END""",
    """CREATE TRIGGER IF NOT EXISTS stats_fact_au AFTER UPDATE ON stats_fact
      WHEN (OLD.county <> NEW.county OR OLD.year <> NEW.year OR OLD.programme <> NEW.programme
    OR OLD.status <> NEW.status OR (OLD.checkins > 0) <> (NEW.checkins > 0) OR OLD.certified <> NEW.certified
    OR OLD.hours <> NEW.hours) BEGIN INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (OLD.county, OLD.year, OLD.programme, -1,
            -(CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.checkins > 0 THEN 1 ELSE 0 END), -OLD.certified, -OLD.hours); INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (NEW.county, NEW.year, NEW.programme, 1,
            (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END),
            (CASE WHEN NEW.checkins > 0 THEN 1 ELSE 0 END), NEW.certified, NEW.hours); END""",
    """CREATE TRIGGER IF NOT EXISTS stats_fact_au_years AFTER UPDATE ON stats_fact
      WHEN (OLD.county <> NEW.county OR OLD.teacher <> NEW.teacher OR OLD.programme <> NEW.programme
    OR OLD.year <> NEW.year OR (OLD.checkins > 0) <> (NEW.checkins > 0)) BEGIN INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (OLD.county, OLD.teacher, OLD.programme,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = OLD.county AND f.teacher = OLD.teacher AND (OLD.programme = 0 OR f.programme = OLD.programme)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (OLD.county, OLD.teacher, 0,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = OLD.county AND f.teacher = OLD.teacher AND (0 = 0 OR f.programme = 0)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; DELETE FROM stats_teacher_years WHERE county = OLD.county AND teacher = OLD.teacher AND years_mask = 0; INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (NEW.county, NEW.teacher, NEW.programme,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = NEW.county AND f.teacher = NEW.teacher AND (NEW.programme = 0 OR f.programme = NEW.programme)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES (NEW.county, NEW.teacher, 0,
              COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f INDEXED BY stats_fact_teacher
      WHERE f.county = NEW.county AND f.teacher = NEW.teacher AND (0 = 0 OR f.programme = 0)
        AND f.checkins > 0), 0))
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask; DELETE FROM stats_teacher_years WHERE county = NEW.county AND teacher = NEW.teacher AND years_mask = 0; END""",
]


POSTGRES = [
    """
CREATE TABLE IF NOT EXISTS stats_fact (
    enrollment INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    teacher INTEGER NOT NULL,
    county INTEGER NOT NULL,
    school INTEGER NULL,
    status VARCHAR(16) NOT NULL,
    year INTEGER NOT NULL,
    programme INTEGER NOT NULL,
    subject VARCHAR(32) NOT NULL DEFAULT '',
    checkins INTEGER NOT NULL DEFAULT 0,
    hours DOUBLE PRECISION NOT NULL DEFAULT 0,
    certified INTEGER NOT NULL DEFAULT 0
)
""",
    """CREATE TABLE IF NOT EXISTS stats_cell (
    county INTEGER NOT NULL, year INTEGER NOT NULL, programme INTEGER NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0, confirmed INTEGER NOT NULL DEFAULT 0, attended INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0, hours DOUBLE PRECISION NOT NULL DEFAULT 0)""",
    'CREATE UNIQUE INDEX IF NOT EXISTS stats_cell_key ON stats_cell (county, year, programme)',
    """CREATE TABLE IF NOT EXISTS stats_cell_delta (
    county INTEGER NOT NULL, year INTEGER NOT NULL, programme INTEGER NOT NULL,
    registered INTEGER NOT NULL, confirmed INTEGER NOT NULL, attended INTEGER NOT NULL,
    completed INTEGER NOT NULL, hours DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stats_teacher_years (
    county INTEGER NOT NULL, teacher INTEGER NOT NULL, programme INTEGER NOT NULL, years_mask BIGINT NOT NULL)""",
    'CREATE UNIQUE INDEX IF NOT EXISTS stats_teacher_years_key ON stats_teacher_years (county, teacher, programme)',
    'CREATE INDEX IF NOT EXISTS stats_teacher_years_programme ON stats_teacher_years (programme, county, years_mask)',
    'CREATE INDEX IF NOT EXISTS stats_teacher_years_teacher ON stats_teacher_years (programme, teacher, years_mask)',
    'CREATE INDEX IF NOT EXISTS stats_fact_session ON stats_fact (session)',
    'CREATE INDEX IF NOT EXISTS stats_fact_teacher ON stats_fact (teacher, year)',
    'CREATE INDEX IF NOT EXISTS stats_fact_county_year ON stats_fact (county, year, programme)',
    'CREATE INDEX IF NOT EXISTS stats_fact_school ON stats_fact (school)',
    'CREATE INDEX IF NOT EXISTS stats_fact_session_attended ON stats_fact (session, county) WHERE checkins > 0',
    'CREATE TABLE IF NOT EXISTS stats_pending (id BIGSERIAL PRIMARY KEY, enrollment INTEGER NOT NULL)',
    'CREATE INDEX IF NOT EXISTS stats_pending_enrollment ON stats_pending (enrollment)',
    'DROP TRIGGER IF EXISTS stats_enrollment_t ON "enrollment"',
    'DROP TRIGGER IF EXISTS stats_check_in_t ON "check_in"',
    'DROP TRIGGER IF EXISTS stats_certificate_t ON "certificate"',
    'DROP TRIGGER IF EXISTS stats_block_t ON "block"',
    'DROP TRIGGER IF EXISTS stats_session_t ON "training_session"',
    'DROP TRIGGER IF EXISTS stats_fact_t ON "stats_fact"',
    'DELETE FROM stats_cell_delta',
    'DELETE FROM stats_cell',
    'DELETE FROM stats_teacher_years',
    'DELETE FROM stats_fact',
    """
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject,
                            checkins, hours, certified)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject,
           COALESCE(a.n, 0), COALESCE(a.h, 0), CASE WHEN r.id IS NULL THEN 0 ELSE 1 END
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    LEFT JOIN (SELECT c.enrollment, COUNT(*) AS n, SUM(b.hours) AS h
               FROM check_in c JOIN block b ON b.id = c.block
               WHERE b.cancelled = FALSE GROUP BY c.enrollment) a ON a.enrollment = e.id
    LEFT JOIN certificate r ON r.enrollment = e.id AND r.revoked_at IS NULL""",
    """INSERT INTO stats_cell (county, year, programme, registered, confirmed, attended, completed, hours)
    SELECT county, year, programme, COUNT(*), SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
           SUM(CASE WHEN checkins > 0 THEN 1 ELSE 0 END), SUM(certified), SUM(hours)
    FROM stats_fact GROUP BY county, year, programme""",
    """INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
    SELECT f.county, f.teacher, f.programme, SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f
    WHERE f.checkins > 0 GROUP BY f.county, f.teacher, f.programme""",
    """INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
    SELECT f.county, f.teacher, 0, SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f
    WHERE f.checkins > 0 GROUP BY f.county, f.teacher""",
    """CREATE OR REPLACE FUNCTION stats_fact_refresh(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      -- Lock first, then recompute in a new statement: its fresh snapshot sees what a concurrent
      -- transaction committed while we waited for the lock.
      PERFORM 1 FROM stats_fact WHERE enrollment = eid FOR UPDATE;
      
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = eid AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = eid AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = eid AND r.revoked_at IS NULL)
    WHERE enrollment = eid;
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
    """CREATE OR REPLACE FUNCTION stats_on_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stats_fact_refresh(OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM stats_fact_refresh(NEW.enrollment); END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_check_in() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO stats_pending (enrollment) VALUES (OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO stats_pending (enrollment) VALUES (NEW.enrollment); END IF;
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
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
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
    """CREATE OR REPLACE FUNCTION stats_on_block() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM stats_fact_refresh(x.enrollment) FROM (SELECT DISTINCT enrollment FROM check_in WHERE block = NEW.id) x;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_years_refresh(c integer, t integer, p integer) RETURNS void
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      INSERT INTO stats_teacher_years (county, teacher, programme, years_mask) VALUES (c, t, p, 0)
        ON CONFLICT (county, teacher, programme) DO NOTHING;
      PERFORM 1 FROM stats_teacher_years WHERE county = c AND teacher = t AND programme = p FOR UPDATE;
      UPDATE stats_teacher_years SET years_mask = COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f
      WHERE f.county = c AND f.teacher = t AND (p = 0 OR f.programme = p)
        AND f.checkins > 0), 0)
        WHERE county = c AND teacher = t AND programme = p;
      DELETE FROM stats_teacher_years WHERE county = c AND teacher = t AND programme = p AND years_mask = 0;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_fact() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (NEW.county, NEW.year, NEW.programme, 1,
            (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END),
            (CASE WHEN NEW.checkins > 0 THEN 1 ELSE 0 END), NEW.certified, NEW.hours);
        PERFORM stats_years_refresh(NEW.county, NEW.teacher, NEW.programme);
        PERFORM stats_years_refresh(NEW.county, NEW.teacher, 0);
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (OLD.county, OLD.year, OLD.programme, -1,
            -(CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.checkins > 0 THEN 1 ELSE 0 END), -OLD.certified, -OLD.hours);
        PERFORM stats_years_refresh(OLD.county, OLD.teacher, OLD.programme);
        PERFORM stats_years_refresh(OLD.county, OLD.teacher, 0);
      ELSE
        IF (OLD.county <> NEW.county OR OLD.year <> NEW.year OR OLD.programme <> NEW.programme
    OR OLD.status <> NEW.status OR (OLD.checkins > 0) <> (NEW.checkins > 0) OR OLD.certified <> NEW.certified
    OR OLD.hours <> NEW.hours) THEN
          INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (OLD.county, OLD.year, OLD.programme, -1,
            -(CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END),
            -(CASE WHEN OLD.checkins > 0 THEN 1 ELSE 0 END), -OLD.certified, -OLD.hours);
          INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES (NEW.county, NEW.year, NEW.programme, 1,
            (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END),
            (CASE WHEN NEW.checkins > 0 THEN 1 ELSE 0 END), NEW.certified, NEW.hours);
        END IF;
        IF (OLD.county <> NEW.county OR OLD.teacher <> NEW.teacher OR OLD.programme <> NEW.programme
    OR OLD.year <> NEW.year OR (OLD.checkins > 0) <> (NEW.checkins > 0)) THEN
          PERFORM stats_years_refresh(OLD.county, OLD.teacher, OLD.programme);
          PERFORM stats_years_refresh(OLD.county, OLD.teacher, 0);
          PERFORM stats_years_refresh(NEW.county, NEW.teacher, NEW.programme);
          PERFORM stats_years_refresh(NEW.county, NEW.teacher, 0);
        END IF;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE stats_fact SET year = NEW.year, programme = NEW.programme WHERE session = NEW.id; RETURN NULL; END $$""",
    'DROP TRIGGER IF EXISTS stats_enrollment_t ON "enrollment"',
    'CREATE TRIGGER stats_enrollment_t AFTER INSERT OR DELETE OR UPDATE OF session, teacher, county, school, status, subject ON enrollment FOR EACH ROW EXECUTE FUNCTION stats_on_enrollment()',
    'DROP TRIGGER IF EXISTS stats_check_in_t ON "check_in"',
    'CREATE TRIGGER stats_check_in_t AFTER INSERT OR UPDATE OR DELETE ON check_in FOR EACH ROW EXECUTE FUNCTION stats_on_check_in()',
    'DROP TRIGGER IF EXISTS stats_certificate_t ON "certificate"',
    'CREATE TRIGGER stats_certificate_t AFTER INSERT OR UPDATE OR DELETE ON certificate FOR EACH ROW EXECUTE FUNCTION stats_on_attendance()',
    'DROP TRIGGER IF EXISTS stats_block_t ON "block"',
    'CREATE TRIGGER stats_block_t AFTER UPDATE OF hours, cancelled ON block FOR EACH ROW EXECUTE FUNCTION stats_on_block()',
    'DROP TRIGGER IF EXISTS stats_session_t ON "training_session"',
    'CREATE TRIGGER stats_session_t AFTER UPDATE OF year, programme ON training_session FOR EACH ROW EXECUTE FUNCTION stats_on_session()',
    'DROP TRIGGER IF EXISTS stats_fact_t ON "stats_fact"',
    'CREATE TRIGGER stats_fact_t AFTER INSERT OR UPDATE OR DELETE ON stats_fact FOR EACH ROW EXECUTE FUNCTION stats_on_fact()',
]

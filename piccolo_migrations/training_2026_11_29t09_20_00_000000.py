"""The waiting-list position (`COUNT(*)` of those ahead) read through a partial index of the waiting entries of
one session, instead of filtering every enrollment of the session (bench/enroll_rush.py: it was ~0.4 ms of
PostgreSQL CPU per waitlisted registration in a rush). Same SQL on both engines.

SQLite also gets its statistics triggers on stats_fact recreated: the teacher-year recount now names the teacher
index (without it SQLite read every fact row of the county on each first check-in). The trigger text is frozen
here (as training/stats/schema.py emitted it on 2026-12-01)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

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
        if isinstance(engine, SQLiteEngine):
            for statement in SQLITE_FACT_TRIGGERS:
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager


SQLITE_FACT_TRIGGERS = [
    'DROP TRIGGER IF EXISTS stats_fact_ai',
    'DROP TRIGGER IF EXISTS stats_fact_ad',
    'DROP TRIGGER IF EXISTS stats_fact_au',
    'DROP TRIGGER IF EXISTS stats_fact_au_years',
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

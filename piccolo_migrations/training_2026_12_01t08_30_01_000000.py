"""Attendance corrections, the rules: organisers' marks (late / excused), one live check-in per teacher and block
(a voided one stays beside it), the database's CHECKs on the new columns, and the `attendance` view: what counts
as attended everywhere (statistics, certificates, the 学时 ledger): check-ins not voided, blocks marked late, and
blocks marked excused when the session's excused_counts rule says so.

PostgreSQL: CHECK constraints. SQLite cannot add a constraint to an existing table, so each checked column of an
existing table gets a BEFORE INSERT and a BEFORE UPDATE OF trigger that aborts with the same message (as in
2026-12-01T04:20). The statistics triggers are re-created to read the view and to follow marks and the excused
rule; their SQL is frozen here (training/stats/schema.py as it was on 2026-12-01). No fact changes: no check-in is
voided and no mark exists before this migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T08:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance corrections: marks, live check-in index, CHECKs, attendance view, statistics"

_MARK_TABLE = """CREATE TABLE IF NOT EXISTS "attendance_mark" (
  "id" %s PRIMARY KEY,
  "enrollment" INTEGER NOT NULL REFERENCES "enrollment" ("id") ON DELETE CASCADE,
  "block" INTEGER NOT NULL REFERENCES "block" ("id") ON DELETE CASCADE,
  "kind" VARCHAR(16) NOT NULL CONSTRAINT attendance_mark_kind_check CHECK ("kind" IN ('late', 'excused')),
  "note" VARCHAR(500) NOT NULL DEFAULT '',
  "marked_by" INTEGER NULL,
  "marked_by_name" VARCHAR(64) NOT NULL DEFAULT '',
  "marked_at" TIMESTAMPTZ NOT NULL
)"""
MARK_TABLE = {"sqlite": _MARK_TABLE % "INTEGER", "postgres": _MARK_TABLE % "SERIAL"}

INDEXES = [
    'CREATE UNIQUE INDEX IF NOT EXISTS attendance_mark_enrollment_block_uniq ON "attendance_mark" '
    '("enrollment", "block")',
    'CREATE INDEX IF NOT EXISTS attendance_mark_block ON "attendance_mark" ("block")',
    # one live check-in per (enrollment, block); voided ones are kept beside it
    "DROP INDEX IF EXISTS check_in_enrollment_block_uniq",
    'CREATE UNIQUE INDEX IF NOT EXISTS check_in_live_uniq ON "check_in" ("enrollment", "block") '
    'WHERE "voided_at" IS NULL',
]

# (table, constraint name, the condition every row meets, the columns it reads)
CHECKS = (
    (
        "check_in",
        "check_in_void_reason_check",
        "voided_at IS NULL OR void_reason <> ''",
        ("voided_at", "void_reason"),
    ),
    (
        "block",
        "block_checkin_before_minutes_check",
        "checkin_before_minutes BETWEEN 0 AND 1440",
        ("checkin_before_minutes",),
    ),
    (
        "block",
        "block_checkin_after_minutes_check",
        "checkin_after_minutes BETWEEN 0 AND 1440",
        ("checkin_after_minutes",),
    ),
)


def postgres_checks() -> list[str]:
    return [f'ALTER TABLE "{table}" ADD CONSTRAINT {name} CHECK ({cond})' for table, name, cond, _ in CHECKS]


def sqlite_checks() -> list[str]:
    statements = []
    for table, name, cond, columns in CHECKS:
        on_new = cond
        for column in columns:
            on_new = on_new.replace(column, f'NEW."{column}"')
        watched = ", ".join(f'"{c}"' for c in columns)
        for event, suffix in (("INSERT", "bi"), (f"UPDATE OF {watched}", "bu")):
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS {name}_{suffix} BEFORE {event} ON "{table}" FOR EACH ROW '
                f"WHEN NOT ({on_new}) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )
    return statements


VIEW = """CREATE VIEW attendance AS
SELECT c.enrollment AS enrollment, c.block AS block, 'scan' AS kind FROM check_in c WHERE c.voided_at IS NULL
UNION ALL
SELECT m.enrollment AS enrollment, m.block AS block, m.kind AS kind FROM attendance_mark m
JOIN block b ON b.id = m.block JOIN training_session s ON s.id = b.session
WHERE (m.kind = 'late' OR (m.kind = 'excused' AND s.excused_counts = TRUE))
  AND NOT EXISTS (SELECT 1 FROM check_in c2
                  WHERE c2.enrollment = m.enrollment AND c2.block = m.block AND c2.voided_at IS NULL)"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        sqlite = isinstance(engine, SQLiteEngine)
        statements = [MARK_TABLE["sqlite" if sqlite else "postgres"], *INDEXES]
        statements += sqlite_checks() if sqlite else postgres_checks()
        statements.append(VIEW)
        if sqlite:
            statements += [*SQLITE_STATS_DROP, *SQLITE_STATS_CREATE]
        else:
            statements += [*POSTGRES_STATS_FUNCTIONS, *POSTGRES_STATS_TRIGGERS]
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager


# --- the statistics triggers, frozen (training/stats/schema.py) -------------------------------------------------

SQLITE_STATS_DROP = [
    "DROP TRIGGER IF EXISTS stats_enrollment_ai",
    "DROP TRIGGER IF EXISTS stats_enrollment_au",
    "DROP TRIGGER IF EXISTS stats_enrollment_ad",
    "DROP TRIGGER IF EXISTS stats_check_in_ai",
    "DROP TRIGGER IF EXISTS stats_check_in_au",
    "DROP TRIGGER IF EXISTS stats_check_in_ad",
    "DROP TRIGGER IF EXISTS stats_certificate_ai",
    "DROP TRIGGER IF EXISTS stats_certificate_au",
    "DROP TRIGGER IF EXISTS stats_certificate_ad",
    "DROP TRIGGER IF EXISTS stats_block_au",
    "DROP TRIGGER IF EXISTS stats_session_au",
    "DROP TRIGGER IF EXISTS stats_attendance_mark_ai",
    "DROP TRIGGER IF EXISTS stats_attendance_mark_au",
    "DROP TRIGGER IF EXISTS stats_attendance_mark_ad",
    "DROP TRIGGER IF EXISTS stats_session_excused_au",
]

SQLITE_STATS_CREATE = [
    "CREATE TRIGGER IF NOT EXISTS stats_enrollment_ai AFTER INSERT ON enrollment BEGIN\n      \n    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)\n    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject\n    FROM enrollment e\n    JOIN training_session s ON s.id = e.session\n    WHERE e.id = NEW.id; \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.id AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS stats_enrollment_au AFTER UPDATE ON enrollment BEGIN\n      DELETE FROM stats_fact WHERE enrollment = OLD.id;\n      \n    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)\n    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject\n    FROM enrollment e\n    JOIN training_session s ON s.id = e.session\n    WHERE e.id = NEW.id; \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.id AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.id AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS stats_enrollment_ad AFTER DELETE ON enrollment BEGIN\n      DELETE FROM stats_fact WHERE enrollment = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS stats_check_in_ai AFTER INSERT ON check_in BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_check_in_au AFTER UPDATE ON check_in BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = OLD.enrollment; \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_check_in_ad AFTER DELETE ON check_in BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = OLD.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_certificate_ai AFTER INSERT ON certificate BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_certificate_au AFTER UPDATE ON certificate BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = OLD.enrollment; \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_certificate_ad AFTER DELETE ON certificate BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = OLD.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_block_au AFTER UPDATE OF hours, cancelled ON block BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = stats_fact.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = stats_fact.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = stats_fact.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment IN (SELECT enrollment FROM check_in WHERE block = NEW.id UNION SELECT enrollment FROM attendance_mark WHERE block = NEW.id);\n      END",
    "CREATE TRIGGER IF NOT EXISTS stats_session_au\n      AFTER UPDATE OF year, programme ON training_session BEGIN UPDATE stats_fact SET year = NEW.year, programme = NEW.programme WHERE session = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS stats_attendance_mark_ai\n      AFTER INSERT ON attendance_mark BEGIN \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_attendance_mark_au\n      AFTER UPDATE ON attendance_mark BEGIN \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = OLD.enrollment; \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = NEW.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = NEW.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = NEW.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_attendance_mark_ad\n      AFTER DELETE ON attendance_mark BEGIN \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = OLD.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = OLD.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment = OLD.enrollment; END",
    "CREATE TRIGGER IF NOT EXISTS stats_session_excused_au\n      AFTER UPDATE OF excused_counts ON training_session BEGIN\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = stats_fact.enrollment AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = stats_fact.enrollment AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = stats_fact.enrollment AND r.revoked_at IS NULL)\n    WHERE enrollment IN (SELECT m.enrollment FROM attendance_mark m JOIN block b ON b.id = m.block WHERE b.session = NEW.id AND m.kind = 'excused'); END",
]

POSTGRES_STATS_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION stats_fact_refresh(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$\n    BEGIN\n      -- Lock first, then recompute in a new statement: its fresh snapshot sees what a concurrent\n      -- transaction committed while we waited for the lock.\n      PERFORM 1 FROM stats_fact WHERE enrollment = eid FOR UPDATE;\n      \n    UPDATE stats_fact SET\n      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block\n                  WHERE c.enrollment = eid AND b.cancelled = FALSE),\n      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block\n               WHERE c.enrollment = eid AND b.cancelled = FALSE),\n      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = eid AND r.revoked_at IS NULL)\n    WHERE enrollment = eid;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_on_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'DELETE' THEN\n        INSERT INTO stats_pending (enrollment) VALUES (OLD.id);\n      ELSE\n        INSERT INTO stats_pending (enrollment) VALUES (NEW.id);\n      END IF;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_on_attendance() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stats_fact_refresh(OLD.enrollment); END IF;\n      IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM stats_fact_refresh(NEW.enrollment); END IF;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_on_check_in() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO stats_pending (enrollment) VALUES (OLD.enrollment); END IF;\n      IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO stats_pending (enrollment) VALUES (NEW.enrollment); END IF;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_apply_pending(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$\n    BEGIN\n      -- Every queued row committed before this DELETE is also seen by the statements after it; a row\n      -- committed later stays queued for the next round.\n      DELETE FROM stats_pending WHERE enrollment = eid;\n      IF NOT EXISTS (SELECT 1 FROM enrollment WHERE id = eid) THEN\n        DELETE FROM stats_fact WHERE enrollment = eid;\n        RETURN;\n      END IF;\n      \n    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)\n    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject\n    FROM enrollment e\n    JOIN training_session s ON s.id = e.session\n    WHERE e.id = eid\n      ON CONFLICT (enrollment) DO UPDATE SET session = excluded.session, teacher = excluded.teacher,\n        county = excluded.county, school = excluded.school, status = excluded.status, year = excluded.year,\n        programme = excluded.programme, subject = excluded.subject\n      WHERE (stats_fact.session, stats_fact.teacher, stats_fact.county, stats_fact.school, stats_fact.status,\n             stats_fact.year, stats_fact.programme, stats_fact.subject)\n        IS DISTINCT FROM (excluded.session, excluded.teacher, excluded.county, excluded.school, excluded.status,\n                          excluded.year, excluded.programme, excluded.subject);\n      PERFORM stats_fact_refresh(eid);\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_on_block() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      PERFORM stats_fact_refresh(x.enrollment) FROM (SELECT enrollment FROM check_in WHERE block = NEW.id UNION SELECT enrollment FROM attendance_mark WHERE block = NEW.id) x;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_years_refresh(c integer, t integer, p integer) RETURNS void\n    LANGUAGE plpgsql VOLATILE AS $$\n    BEGIN\n      INSERT INTO stats_teacher_years (county, teacher, programme, years_mask) VALUES (c, t, p, 0)\n        ON CONFLICT (county, teacher, programme) DO NOTHING;\n      PERFORM 1 FROM stats_teacher_years WHERE county = c AND teacher = t AND programme = p FOR UPDATE;\n      UPDATE stats_teacher_years SET years_mask = COALESCE((SELECT SUM(DISTINCT (CAST(1 AS BIGINT) << (f.year - 2000))) FROM stats_fact f\n      WHERE f.county = c AND f.teacher = t AND (p = 0 OR f.programme = p)\n        AND f.checkins > 0), 0)\n        WHERE county = c AND teacher = t AND programme = p;\n      DELETE FROM stats_teacher_years WHERE county = c AND teacher = t AND programme = p AND years_mask = 0;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_on_fact() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN\n      IF TG_OP = 'INSERT' THEN\n        INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)\n    VALUES (NEW.county, NEW.year, NEW.programme, 1,\n            (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END),\n            (CASE WHEN NEW.checkins > 0 THEN 1 ELSE 0 END), NEW.certified, NEW.hours);\n        PERFORM stats_years_refresh(NEW.county, NEW.teacher, NEW.programme);\n        PERFORM stats_years_refresh(NEW.county, NEW.teacher, 0);\n      ELSIF TG_OP = 'DELETE' THEN\n        INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)\n    VALUES (OLD.county, OLD.year, OLD.programme, -1,\n            -(CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END),\n            -(CASE WHEN OLD.checkins > 0 THEN 1 ELSE 0 END), -OLD.certified, -OLD.hours);\n        PERFORM stats_years_refresh(OLD.county, OLD.teacher, OLD.programme);\n        PERFORM stats_years_refresh(OLD.county, OLD.teacher, 0);\n      ELSE\n        IF (OLD.county <> NEW.county OR OLD.year <> NEW.year OR OLD.programme <> NEW.programme\n    OR OLD.status <> NEW.status OR (OLD.checkins > 0) <> (NEW.checkins > 0) OR OLD.certified <> NEW.certified\n    OR OLD.hours <> NEW.hours) THEN\n          INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)\n    VALUES (OLD.county, OLD.year, OLD.programme, -1,\n            -(CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END),\n            -(CASE WHEN OLD.checkins > 0 THEN 1 ELSE 0 END), -OLD.certified, -OLD.hours);\n          INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)\n    VALUES (NEW.county, NEW.year, NEW.programme, 1,\n            (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END),\n            (CASE WHEN NEW.checkins > 0 THEN 1 ELSE 0 END), NEW.certified, NEW.hours);\n        END IF;\n        IF (OLD.county <> NEW.county OR OLD.teacher <> NEW.teacher OR OLD.programme <> NEW.programme\n    OR OLD.year <> NEW.year OR (OLD.checkins > 0) <> (NEW.checkins > 0)) THEN\n          PERFORM stats_years_refresh(OLD.county, OLD.teacher, OLD.programme);\n          PERFORM stats_years_refresh(OLD.county, OLD.teacher, 0);\n          PERFORM stats_years_refresh(NEW.county, NEW.teacher, NEW.programme);\n          PERFORM stats_years_refresh(NEW.county, NEW.teacher, 0);\n        END IF;\n      END IF;\n      RETURN NULL;\n    END $$",
    "CREATE OR REPLACE FUNCTION stats_on_session() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN UPDATE stats_fact SET year = NEW.year, programme = NEW.programme WHERE session = NEW.id; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION stats_on_excused_rule() RETURNS trigger LANGUAGE plpgsql AS $$\n    BEGIN INSERT INTO stats_pending (enrollment) SELECT m.enrollment FROM attendance_mark m JOIN block b ON b.id = m.block WHERE b.session = NEW.id AND m.kind = 'excused'; RETURN NULL; END $$",
]

POSTGRES_STATS_TRIGGERS = [
    'DROP TRIGGER IF EXISTS stats_attendance_mark_t ON "attendance_mark"',
    'DROP TRIGGER IF EXISTS stats_excused_rule_t ON "training_session"',
    "CREATE TRIGGER stats_attendance_mark_t AFTER INSERT OR UPDATE OR DELETE ON attendance_mark FOR EACH ROW EXECUTE FUNCTION stats_on_check_in()",
    "CREATE TRIGGER stats_excused_rule_t AFTER UPDATE OF excused_counts ON training_session FOR EACH ROW WHEN (OLD.excused_counts IS DISTINCT FROM NEW.excused_counts) EXECUTE FUNCTION stats_on_excused_rule()",
]

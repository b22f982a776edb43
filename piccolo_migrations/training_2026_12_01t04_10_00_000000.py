"""Allowed values of the enrollment and people packages' states and kinds, enforced by the database: CHECK
constraints on PostgreSQL; on SQLite (which cannot add a constraint to a table) BEFORE INSERT / BEFORE UPDATE OF
triggers that abort with the same message. The SQL is frozen here; the values are those of
training/enrollment/states.py and training/people/states.py when it was written."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "enrollment and people: CHECK constraints on statuses and kinds"

POSTGRES = [
    "ALTER TABLE enrollment DROP CONSTRAINT IF EXISTS enrollment_status_check",
    "ALTER TABLE enrollment ADD CONSTRAINT enrollment_status_check CHECK (status IN ('pending', 'nominated', 'confirmed', 'waitlisted', 'cancelled', 'rejected'))",
    "ALTER TABLE enrollment DROP CONSTRAINT IF EXISTS enrollment_source_check",
    "ALTER TABLE enrollment ADD CONSTRAINT enrollment_source_check CHECK (source IN ('online', 'nomination', 'import', 'demo'))",
    "ALTER TABLE teacher_change_request DROP CONSTRAINT IF EXISTS teacher_change_request_status_check",
    "ALTER TABLE teacher_change_request ADD CONSTRAINT teacher_change_request_status_check CHECK (status IN ('pending', 'applied', 'rejected'))",
    "ALTER TABLE teacher_change_request DROP CONSTRAINT IF EXISTS teacher_change_request_origin_check",
    "ALTER TABLE teacher_change_request ADD CONSTRAINT teacher_change_request_origin_check CHECK (origin IN ('online', 'nomination', 'import', 'demo'))",
    "ALTER TABLE teacher_change_request DROP CONSTRAINT IF EXISTS teacher_change_request_decided_via_check",
    "ALTER TABLE teacher_change_request ADD CONSTRAINT teacher_change_request_decided_via_check CHECK (decided_via IN ('', 'code_on_file', 'self_link', 'organiser', 'import'))",
    "ALTER TABLE teacher_contact_code DROP CONSTRAINT IF EXISTS teacher_contact_code_purpose_check",
    "ALTER TABLE teacher_contact_code ADD CONSTRAINT teacher_contact_code_purpose_check CHECK (purpose IN ('phone', 'email', 'request'))",
    "ALTER TABLE teacher_contact_code DROP CONSTRAINT IF EXISTS teacher_contact_code_channel_check",
    "ALTER TABLE teacher_contact_code ADD CONSTRAINT teacher_contact_code_channel_check CHECK (channel IN ('email', 'sms'))",
    "ALTER TABLE school DROP CONSTRAINT IF EXISTS school_level_check",
    "ALTER TABLE school ADD CONSTRAINT school_level_check CHECK (level IN ('kindergarten', 'primary', 'junior', 'senior', 'nine_year', 'vocational', 'other'))",
]

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS enrollment_status_check_insert BEFORE INSERT ON enrollment FOR EACH ROW"
    " WHEN NEW.status NOT IN ('pending', 'nominated', 'confirmed', 'waitlisted', 'cancelled', 'rejected')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enrollment_status_check'); END",
    "CREATE TRIGGER IF NOT EXISTS enrollment_status_check_update BEFORE UPDATE OF status ON enrollment FOR EACH ROW"
    " WHEN NEW.status NOT IN ('pending', 'nominated', 'confirmed', 'waitlisted', 'cancelled', 'rejected')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enrollment_status_check'); END",
    "CREATE TRIGGER IF NOT EXISTS enrollment_source_check_insert BEFORE INSERT ON enrollment FOR EACH ROW"
    " WHEN NEW.source NOT IN ('online', 'nomination', 'import', 'demo')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enrollment_source_check'); END",
    "CREATE TRIGGER IF NOT EXISTS enrollment_source_check_update BEFORE UPDATE OF source ON enrollment FOR EACH ROW"
    " WHEN NEW.source NOT IN ('online', 'nomination', 'import', 'demo')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: enrollment_source_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_change_request_status_check_insert BEFORE INSERT ON teacher_change_request FOR EACH ROW"
    " WHEN NEW.status NOT IN ('pending', 'applied', 'rejected')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_change_request_status_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_change_request_status_check_update BEFORE UPDATE OF status ON teacher_change_request FOR EACH ROW"
    " WHEN NEW.status NOT IN ('pending', 'applied', 'rejected')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_change_request_status_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_change_request_origin_check_insert BEFORE INSERT ON teacher_change_request FOR EACH ROW"
    " WHEN NEW.origin NOT IN ('online', 'nomination', 'import', 'demo')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_change_request_origin_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_change_request_origin_check_update BEFORE UPDATE OF origin ON teacher_change_request FOR EACH ROW"
    " WHEN NEW.origin NOT IN ('online', 'nomination', 'import', 'demo')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_change_request_origin_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_change_request_decided_via_check_insert BEFORE INSERT ON teacher_change_request FOR EACH ROW"
    " WHEN NEW.decided_via NOT IN ('', 'code_on_file', 'self_link', 'organiser', 'import')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_change_request_decided_via_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_change_request_decided_via_check_update BEFORE UPDATE OF decided_via ON teacher_change_request FOR EACH ROW"
    " WHEN NEW.decided_via NOT IN ('', 'code_on_file', 'self_link', 'organiser', 'import')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_change_request_decided_via_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_contact_code_purpose_check_insert BEFORE INSERT ON teacher_contact_code FOR EACH ROW"
    " WHEN NEW.purpose NOT IN ('phone', 'email', 'request')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_contact_code_purpose_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_contact_code_purpose_check_update BEFORE UPDATE OF purpose ON teacher_contact_code FOR EACH ROW"
    " WHEN NEW.purpose NOT IN ('phone', 'email', 'request')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_contact_code_purpose_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_contact_code_channel_check_insert BEFORE INSERT ON teacher_contact_code FOR EACH ROW"
    " WHEN NEW.channel NOT IN ('email', 'sms')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_contact_code_channel_check'); END",
    "CREATE TRIGGER IF NOT EXISTS teacher_contact_code_channel_check_update BEFORE UPDATE OF channel ON teacher_contact_code FOR EACH ROW"
    " WHEN NEW.channel NOT IN ('email', 'sms')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: teacher_contact_code_channel_check'); END",
    "CREATE TRIGGER IF NOT EXISTS school_level_check_insert BEFORE INSERT ON school FOR EACH ROW"
    " WHEN NEW.level NOT IN ('kindergarten', 'primary', 'junior', 'senior', 'nine_year', 'vocational', 'other')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: school_level_check'); END",
    "CREATE TRIGGER IF NOT EXISTS school_level_check_update BEFORE UPDATE OF level ON school FOR EACH ROW"
    " WHEN NEW.level NOT IN ('kindergarten', 'primary', 'junior', 'senior', 'nine_year', 'vocational', 'other')"
    " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: school_level_check'); END",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

"""Composite unique and lookup indexes.

Piccolo's composite Unique() constraint is emitted as ALTER TABLE ... ADD CONSTRAINT, which SQLite cannot run;
CREATE UNIQUE INDEX works on both SQLite and PostgreSQL and serves ON CONFLICT targets on both.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T05:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique and lookup indexes"

STATEMENTS = [
    'CREATE UNIQUE INDEX IF NOT EXISTS school_county_name_uniq ON "school" ("county", "name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS county_quota_session_county_uniq ON "county_quota" ("session", "county")',
    'CREATE UNIQUE INDEX IF NOT EXISTS enrollment_session_teacher_uniq ON "enrollment" ("session", "teacher")',
    'CREATE UNIQUE INDEX IF NOT EXISTS check_in_enrollment_block_uniq ON "check_in" ("enrollment", "block")',
    'CREATE UNIQUE INDEX IF NOT EXISTS certificate_session_seq_uniq ON "certificate" ("session", "seq")',
    "CREATE UNIQUE INDEX IF NOT EXISTS rate_limit_hit_bucket_key_window_uniq"
    ' ON "rate_limit_hit" ("bucket", "key", "window_start")',
    'CREATE INDEX IF NOT EXISTS enrollment_session_status ON "enrollment" ("session", "status")',
    'CREATE INDEX IF NOT EXISTS enrollment_session_county_status ON "enrollment" ("session", "county", "status")',
    'CREATE INDEX IF NOT EXISTS block_session_day ON "block" ("session", "day")',
    'CREATE INDEX IF NOT EXISTS outbox_message_status_next ON "outbox_message" ("status", "next_attempt_at")',
    'CREATE INDEX IF NOT EXISTS audit_entry_entity_entity_id ON "audit_entry" ("entity", "entity_id")',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

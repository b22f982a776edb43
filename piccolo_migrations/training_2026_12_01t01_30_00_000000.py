"""Enrollment snapshots, part two: fill the new columns of every existing enrollment, and let the statistics read
the enrollment's subject instead of the teacher's (a teacher who changes subject no longer moves past facts).

The backfill takes, per enrollment, what is closest to the time it was made: the certificate's printed name and
school if one was issued, else the school the enrollment points at, else the teacher's current profile. The
statistics triggers are dropped for the backfill (one UPDATE of every enrollment would otherwise refresh every
fact row one at a time) and installed again, with the table rebuilt, by schema.install.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "enrollment snapshots: backfill; statistics read the enrollment's subject"

BACKFILL = """
UPDATE "enrollment" SET
  "teacher_name" = COALESCE(
    (SELECT NULLIF(c."teacher_name", '') FROM "certificate" c WHERE c."enrollment" = "enrollment"."id"),
    (SELECT t."name" FROM "teacher" t WHERE t."id" = "enrollment"."teacher"), ''),
  "school_name" = COALESCE(
    (SELECT NULLIF(c."school_name", '') FROM "certificate" c WHERE c."enrollment" = "enrollment"."id"),
    (SELECT s."name" FROM "school" s WHERE s."id" = "enrollment"."school"),
    (SELECT t."school_name" FROM "teacher" t WHERE t."id" = "enrollment"."teacher"), ''),
  "subject" = COALESCE((SELECT t."subject" FROM "teacher" t WHERE t."id" = "enrollment"."teacher"), ''),
  "grade_band" = COALESCE((SELECT t."grade_band" FROM "teacher" t WHERE t."id" = "enrollment"."teacher"), ''),
  "teacher_title" = COALESCE((SELECT t."title" FROM "teacher" t WHERE t."id" = "enrollment"."teacher"), '')
WHERE "teacher_name" = ''
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        from training import db
        from training.stats import schema

        engine = engine_finder()
        assert engine is not None
        if db.is_sqlite(engine):
            await engine.run_ddl("DROP TRIGGER IF EXISTS stats_teacher_au")
        else:
            await engine.run_ddl('DROP TRIGGER IF EXISTS stats_teacher_t ON "teacher"')
            await engine.run_ddl("DROP FUNCTION IF EXISTS stats_on_teacher()")
        await schema.drop_triggers(engine)
        await engine.run_ddl(BACKFILL)
        await schema.install(engine)

    manager.add_raw(run)
    return manager

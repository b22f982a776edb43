"""User names are case-insensitive: existing names are lower-cased (log-in compares lower-cased). A name that
would collide with another account's once lower-cased is left as it is (log-in then finds the older account);
the same SQL runs on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T01:13:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "lower-case staff user names"

STATEMENT = (
    'UPDATE "staff_user" SET "username" = lower("username") WHERE "username" <> lower("username") '
    'AND NOT EXISTS (SELECT 1 FROM "staff_user" AS other WHERE lower(other."username") = lower("staff_user"."username") '
    'AND other."id" <> "staff_user"."id")'
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(STATEMENT)

    manager.add_raw(run)
    return manager

"""The host coordinator role and hosting's unique keys.

staff_user.role also admits 'host' (a Jiangsu host city's coordinator, training/hosting), and a pairing's source
is 'draft' or 'manual'. PostgreSQL: the constraint is dropped and added again with the new list. SQLite cannot
add a constraint to a table, so there the BEFORE INSERT and BEFORE UPDATE OF <column> triggers (named like the
constraint, piccolo_migrations/*2026_12_01t04_40_00*) are dropped and created again. Unique indexes: a host
school's name within its city, a mentor's name within her school. The values are frozen here (no import of live
code): a new value needs a new migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T09:15:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "CHECK constraints: staff role host, pairing source; unique host school and mentor names"

# (table, column, allowed values)
CHECKS = (
    ("staff_user", "role", ("organiser", "coordinator", "staff", "host")),
    ("host_pairing", "source", ("draft", "manual")),
)

INDEXES = [
    'CREATE UNIQUE INDEX IF NOT EXISTS host_school_city_name_uniq ON "host_school" ("city", "name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS host_mentor_school_name_uniq ON "host_mentor" ("school", "name")',
    'CREATE INDEX IF NOT EXISTS staff_user_host_city ON "staff_user" ("host_city")',
]


def _allowed(values: tuple[str, ...]) -> str:
    return ", ".join("'" + value + "'" for value in values)


def postgres_sql() -> list[str]:
    statements = []
    for table, column, values in CHECKS:
        statements += [
            f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS {table}_{column}_check',
            f'ALTER TABLE "{table}" ADD CONSTRAINT {table}_{column}_check CHECK ("{column}" IN ({_allowed(values)}))',
        ]
    return statements


def sqlite_sql() -> list[str]:
    statements = []
    for table, column, values in CHECKS:
        name = f"{table}_{column}_check"
        abort = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}');"
        when = f'WHEN NEW."{column}" NOT IN ({_allowed(values)})'
        statements += [
            f"DROP TRIGGER IF EXISTS {name}_insert",
            f'CREATE TRIGGER {name}_insert BEFORE INSERT ON "{table}" FOR EACH ROW {when} BEGIN {abort} END',
            f"DROP TRIGGER IF EXISTS {name}_update",
            f'CREATE TRIGGER {name}_update BEFORE UPDATE OF "{column}" ON "{table}" FOR EACH ROW {when} '
            f"BEGIN {abort} END",
        ]
    return statements


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in INDEXES + (sqlite_sql() if isinstance(engine, SQLiteEngine) else postgres_sql()):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

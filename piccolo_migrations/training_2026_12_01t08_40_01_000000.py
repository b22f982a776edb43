"""CHECK constraints on a nominee's answer (enrollment.nominee_answer, added in 2026-12-01T08:40:00) and on the
outbox kind, which gains 'nominated' (the message that tells a teacher she was nominated).

PostgreSQL: CHECK constraints. SQLite cannot add a constraint to a table, so there a BEFORE INSERT and a BEFORE
UPDATE OF <column> trigger per column abort with the same constraint name (as in 2026-12-01T04:40:00). The values
are frozen here (no import of live code): a new value needs a new migration, which must repeat the whole list."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T08:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "CHECK constraints: the nominee's answer; outbox kind 'nominated'"

CHECKS = (
    ("enrollment", "nominee_answer", ("", "accepted", "declined")),
    (
        "outbox_message",
        "kind",
        (
            "",
            "confirmation",
            "promotion",
            "waitlisted",
            "pending",
            "rejected",
            "code",
            "contact_code",
            "reminder",
            "still_waiting",
            "change",
            "cancelled",
            "broadcast",
            "certificate",
            "certificate_revoked",
            "nominated",
        ),
    ),
)


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
        for statement in sqlite_sql() if isinstance(engine, SQLiteEngine) else postgres_sql():
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

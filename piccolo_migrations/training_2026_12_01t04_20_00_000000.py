"""Scheduling states and kinds are refused by the database when they are not one of the named values.

PostgreSQL: one CHECK constraint per column. SQLite cannot add a constraint to an existing table, so each column
gets a BEFORE INSERT and a BEFORE UPDATE OF <column> trigger that aborts with the same message. The value lists
are frozen here (training/programmes/states.py names them for the code).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T04:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "programmes: CHECK constraints on session status and mode, programme kind and layout, block half-day"

# (table, column, constraint name, allowed values)
CHECKS = (
    ("training_session", "status", "training_session_status_check", ("draft", "published", "closed")),
    ("training_session", "mode", "training_session_mode_check", ("open", "approval", "nomination")),
    ("programme", "kind", "programme_kind_check", ("summer", "exchange", "other")),
    ("programme", "certificate_layout", "programme_certificate_layout_check", ("landscape", "portrait")),
    ("block", "half_day", "block_half_day_check", ("morning", "afternoon", "evening")),
)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def postgres_sql() -> list[str]:
    return [
        f'ALTER TABLE "{table}" ADD CONSTRAINT {name} CHECK ("{column}" IN ({_in(values)}))'
        for table, column, name, values in CHECKS
    ]


def sqlite_sql() -> list[str]:
    statements = []
    for table, column, name, values in CHECKS:
        for event, suffix in (("INSERT", "bi"), (f'UPDATE OF "{column}"', "bu")):
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS {name}_{suffix} BEFORE {event} ON "{table}" FOR EACH ROW '
                f'WHEN NEW."{column}" NOT IN ({_in(values)}) '
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )
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

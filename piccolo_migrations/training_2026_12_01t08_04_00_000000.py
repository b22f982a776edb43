"""Session questions and their answers: CHECK constraints on a question's kind and visibility
(training/programmes/question_tables.py), one current answer per enrollment and question (unique index), and the
index the forms read questions in order by.

PostgreSQL: `ALTER TABLE ... ADD CONSTRAINT <table>_<column>_check CHECK (...)`. SQLite cannot add a constraint to
a table, so there a BEFORE INSERT and a BEFORE UPDATE OF <column> trigger per column abort with the same
constraint name. The values are frozen here (no import of live code): a new value needs a new migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T08:04:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "session questions: CHECK on kind and visibility; one answer per enrollment and question"

CHECKS = (
    ("session_question", "kind", ("text", "number", "date", "datetime", "choice", "choices", "yesno")),
    ("session_question", "visibility", ("teacher", "coordinator", "staff")),
)

INDEXES = [
    'CREATE UNIQUE INDEX IF NOT EXISTS enrollment_answer_once ON "enrollment_answer" ("enrollment", "question")',
    'CREATE INDEX IF NOT EXISTS session_question_order ON "session_question" ("session", "position", "id")',
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
    return statements + INDEXES


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
    return statements + INDEXES


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in sqlite_sql() if isinstance(engine, SQLiteEngine) else postgres_sql():
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

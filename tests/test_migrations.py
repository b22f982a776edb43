"""Migrations carry the SQL they ran, and a freshly migrated database has the schema the tables declare."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from training import db
from training.piccolo_app import APP_CONFIG, MIGRATIONS_FOLDER

MIGRATIONS = sorted(Path(MIGRATIONS_FOLDER).glob("training_*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a migration imports, at any depth (imports inside functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_there_are_migrations_to_check() -> None:
    assert len(MIGRATIONS) > 10


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.stem)
def test_a_migration_imports_no_live_code_of_the_project(path: Path) -> None:
    """A migration that ran code from `training` would run whatever that code says today: a database migrated
    fresh and one upgraded step by step would end with different schemas. The SQL is frozen in the migration
    instead (piccolo and the standard library only; not even constants from `training`)."""
    live = sorted(name for name in _imports(path) if name == "training" or name.startswith("training."))
    assert not live, f"{path.name} imports {live}: freeze the SQL it runs as literal text in the migration"


def _expected_type(column: Any, sqlite: bool) -> str:
    declared = str(column.column_type).upper()
    if sqlite:
        return declared
    postgres = {
        "INTEGER": "integer",
        "SERIAL": "integer",
        "BIGINT": "bigint",
        "TEXT": "text",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIME": "time without time zone",
        "TIMESTAMPTZ": "timestamp with time zone",
        "TIMESTAMP": "timestamp without time zone",
        "REAL": "real",
        "FLOAT": "double precision",  # PostgreSQL's FLOAT without a precision
        "DOUBLE PRECISION": "double precision",
        "JSON": "json",
        "JSONB": "jsonb",
    }
    if declared.startswith("VARCHAR("):
        return f"character varying({declared[8:-1]})"
    return postgres.get(declared, declared.lower())


async def _database_columns(table: str, sqlite: bool) -> dict[str, tuple[str, bool]]:
    """column → (type, nullable) as the database has it."""
    if sqlite:
        rows = await db.fetch(f'PRAGMA table_info("{table}")')
        return {r["name"]: (str(r["type"]).upper(), not r["notnull"]) for r in rows}
    rows = await db.fetch(
        "SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = {}",
        table,
    )
    return {
        r["column_name"]: (
            f"{r['data_type']}({r['character_maximum_length']})"
            if r["character_maximum_length"]
            else r["data_type"],
            r["is_nullable"] == "YES",
        )
        for r in rows
    }


async def test_a_freshly_migrated_database_has_the_schema_the_tables_declare(adb: object) -> None:
    sqlite = db.is_sqlite(db.current_engine())
    drift: list[str] = []
    for table in APP_CONFIG.table_classes:
        name = table._meta.tablename
        found = await _database_columns(name, sqlite)
        declared = {column._meta.db_column_name: column for column in table._meta.columns}
        if set(found) != set(declared):
            drift.append(f"{name}: columns {sorted(set(found) ^ set(declared))} differ")
            continue
        for column_name, column in declared.items():
            kind, nullable = found[column_name]
            if kind != _expected_type(column, sqlite):
                drift.append(f"{name}.{column_name}: {kind}, declared {_expected_type(column, sqlite)}")
            if not column._meta.primary_key and nullable != column._meta.null:
                drift.append(f"{name}.{column_name}: nullable {nullable}, declared {column._meta.null}")
    assert not drift, "\n".join(drift)

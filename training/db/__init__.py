"""The database layer: one small vocabulary for SQL that leaves Piccolo, the same on SQLite and PostgreSQL.

    from training import db

    rows = await db.fetch('SELECT "id", "title" FROM "training_session" WHERE "year" = {}', 2026)
    row = await db.fetch_one('SELECT "title" FROM "training_session" WHERE "id" = {}', session_id)
    await db.execute('UPDATE "enrollment" SET "status" = {} WHERE "id" = {}', "cancelled", enrollment_id)
    new_id = await db.insert("county", {"code": "510823", "name": "剑阁县"})
    async with db.transaction():
        ...  # every statement here, through db.* or Piccolo's tables, commits or rolls back together

Parameters: `{}` marks one positional parameter, values follow the SQL in order (Piccolo's QueryString style,
so a statement reads the same in raw SQL and in Piccolo). Each engine gets its own (`$1, $2, …` on PostgreSQL,
`?` on SQLite), translated once per statement text and cached. Write `{{` and `}}` for literal braces. Values are
always bound, never formatted into the text; table and column names come from code, never from input.

Rows: `fetch` returns `list[dict[str, Any]]` (column name → value) on both engines, `fetch_one` one such dict or
None, `execute` nothing, `insert` the new row's id (None when `on_conflict` skipped it). Values come as the
driver converts them (Piccolo's converters on SQLite: dates, timestamps, booleans of declared columns).

transaction(): the one way to make a read-then-write use case atomic (see `query.transaction`). Outside a
transaction each statement commits on its own.

Where the statements run (details of this package, not choices for callers):
- PostgreSQL: straight on asyncpg (the transaction's connection, else one from Piccolo's pool).
- SQLite inside a transaction: the transaction's connection. Outside one: persistent connections on threads of
  their own (`sqlite_threads`), reads on a few reader threads, writes on one writer thread, instead of Piccolo's
  connection per query (~2.5 ms each). A hot path that needs several statements in one hop to that thread (the
  check-in scan) hands a function to `on_sqlite_writer` and runs its statements with `sqlite_rows`.

Engine life cycle (`engine`): make_engine, use_engine, current_engine, is_sqlite, start, stop, migrate, and
listen (PostgreSQL LISTEN/NOTIFY on a connection of its own).
docs/database.md describes the layer, the write path and the migrations.
"""

from training.db.engine import (
    current_engine,
    is_sqlite,
    listen,
    make_engine,
    make_sqlite_engine,
    migrate,
    start,
    stop,
    use_engine,
)
from training.db.query import (
    Row,
    execute,
    fetch,
    fetch_one,
    insert,
    on_sqlite_writer,
    sqlite_rows,
    transaction,
    write_probe,
)

__all__ = [
    "Row",
    "current_engine",
    "execute",
    "fetch",
    "fetch_one",
    "insert",
    "is_sqlite",
    "listen",
    "make_engine",
    "make_sqlite_engine",
    "migrate",
    "on_sqlite_writer",
    "sqlite_rows",
    "start",
    "stop",
    "transaction",
    "use_engine",
    "write_probe",
]

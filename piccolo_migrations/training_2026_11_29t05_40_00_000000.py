"""Statistics: the stats_fact table (one row per enrollment), its indexes and the triggers that maintain it.

Hand-written: the table is created with raw SQL and kept out of Piccolo's registry (see training/stats/schema.py),
and triggers differ between SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics fact table and triggers"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        from training.stats import schema

        engine = engine_finder()
        assert engine is not None
        await schema.install(engine)

    manager.add_raw(run)
    return manager

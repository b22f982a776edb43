"""SMS through the outbox: a message's channel (email / sms) and, for SMS, the recipient's number encrypted
(to_addr holds only its mask)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox: channel and encrypted SMS recipient"


def _params(default: str, length: int | None = None) -> dict:
    params = {
        "default": default,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    if length is not None:
        params["length"] = length
    return params


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)
    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="channel",
        db_column_name="channel",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params("email", 8),
        schema=None,
    )
    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="to_encrypted",
        db_column_name="to_encrypted",
        column_class_name="Text",
        column_class=Text,
        params=_params(""),
        schema=None,
    )
    return manager

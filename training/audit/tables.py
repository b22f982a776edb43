from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    id: Serial
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = Integer(null=True, default=None, index=True)
    actor_name = Varchar(length=64, default="")
    action = Varchar(length=32)  # create / update / delete / approve / revoke / view_id_number / ...
    entity = Varchar(length=32, index=True)
    entity_id = Varchar(length=64, default="", index=True)
    changes = JSON(default={})

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.accounts.tables import StaffUser
from training.enrollment.tables import Enrollment
from training.programmes.tables import Block, TrainingSession


class CheckIn(Table, tablename="check_in"):
    """One attendance: an enrollment present at a block. client_id makes retries idempotent."""

    id: Serial
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, index=True)
    block = ForeignKey(Block, on_delete=OnDelete.cascade, index=True)
    scanned_at = Timestamptz()  # when the scan happened on the device (offline scans keep it)
    recorded_at = Timestamptz(default=TimestamptzNow())
    staff = Integer(null=True, default=None)  # staff user id
    staff_name = Varchar(length=64, default="")
    device_id = Varchar(length=64, default="")
    client_id = Varchar(length=64, unique=True)

    # UNIQUE (enrollment, block): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)


class StaffAssignment(Table, tablename="staff_assignment"):
    """An on-site staff account assigned to a session: once it has any, it sees and scans only those sessions."""

    id: Serial
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    # UNIQUE (user, session): a unique index created in piccolo_migrations

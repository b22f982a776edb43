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
    # An undone scan is voided, not deleted: kept for the audit, counted nowhere (training/checkin/corrections.py)
    voided_at = Timestamptz(null=True, default=None)
    voided_by = Integer(null=True, default=None)  # staff user id
    voided_by_name = Varchar(length=64, default="")
    void_reason = Varchar(length=500, default="")

    # UNIQUE (enrollment, block) WHERE voided_at IS NULL: a partial unique index created in piccolo_migrations
    # (one live check-in per teacher and block; voided ones stay beside it). CHECK: a voided row has a reason.


class StaffAssignment(Table, tablename="staff_assignment"):
    """An on-site staff account assigned to a session: once it has any, it sees and scans only those sessions."""

    id: Serial
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    # UNIQUE (user, session): a unique index created in piccolo_migrations

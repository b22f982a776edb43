from piccolo.columns import Boolean, Float, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.enrollment.tables import Enrollment
from training.programmes.tables import TrainingSession


class Certificate(Table, tablename="certificate"):
    """An immutable snapshot of what was certified that day; the PDF is derived from it."""

    id: Serial
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.restrict, unique=True)
    session = ForeignKey(TrainingSession, on_delete=OnDelete.restrict, index=True)
    seq = Integer()  # 1..n within the session, no gaps
    serial = Varchar(length=32, unique=True)
    verification_code = Varchar(length=16)
    teacher_name = Varchar(length=64)
    county_name = Varchar(length=64, default="")
    school_name = Varchar(length=128, default="")
    session_title = Varchar(length=128)
    session_dates = Varchar(length=64)
    hours = Float()
    issued_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    revoke_reason = Text(default="")
    reissued_at = Timestamptz(null=True, default=None)
    # 1 at first issue, +1 per re-issue: the mail dedupe key and the file name carry it
    revision = Integer(default=1)
    # set (with the mail enqueued) in the follow-up transaction once the PDF exists; "" = still to render
    file_path = Varchar(length=255, default="")

    # UNIQUE (session, seq): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)


class CertificateException(Table, tablename="certificate_exception"):
    """An organiser's written decision to grant (or deny) a certificate regardless of hours."""

    id: Serial
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, unique=True)
    granted = Boolean()
    reason = Text()
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(default=TimestamptzNow())

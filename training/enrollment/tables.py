from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.enrollment.states import EnrollmentStatus, NomineeAnswer
from training.people.states import Origin
from training.people.tables import County, School, Teacher
from training.programmes.tables import TrainingSession

ENROLLMENT_STATUSES: tuple[EnrollmentStatus, ...] = tuple(EnrollmentStatus)


class Enrollment(Table, tablename="enrollment"):
    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.restrict, index=True)
    teacher = ForeignKey(Teacher, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(County, on_delete=OnDelete.restrict, index=True)  # as it was at enrollment
    school = ForeignKey(School, on_delete=OnDelete.set_null, null=True, index=True)
    # The profile as it was when the enrollment was made (training/enrollment/snapshots.py): rosters, exports,
    # certificates and statistics of this session read these, so a later registration does not rewrite the past.
    teacher_name = Varchar(length=64, default="")  # the name as printed
    school_name = Varchar(length=128, default="")
    subject = Varchar(length=32, default="")
    grade_band = Varchar(length=16, default="")
    teacher_title = Varchar(length=32, default="")  # professional title (职称)
    status = Varchar(
        length=16, default=EnrollmentStatus.PENDING, index=True, choices=EnrollmentStatus
    )  # states.py
    holds_seat = Boolean(default=False)  # counted in session / quota seats_taken
    holds_quota = Boolean(default=False)  # counted in the county quota (not the open pool)
    waitlist_seq = Integer(null=True, default=None, index=True)  # order in the waiting list
    manual_code = Varchar(length=12, unique=True)  # short code typed when the camera fails
    token_nonce = Varchar(length=16, default="")  # rotates to invalidate old QR codes
    source = Varchar(length=16, default=Origin.ONLINE, choices=Origin)
    nominated_by = Integer(null=True, default=None)  # staff user id
    decided_by = Integer(null=True, default=None)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    # a nominee's own answer from her self-service link (nominees.py); '' until she answers
    nominee_answer = Varchar(length=16, default=NomineeAnswer.NONE, choices=NomineeAnswer)
    nominee_answered_at = Timestamptz(null=True, default=None)

    # UNIQUE (session, teacher): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)

from piccolo.columns import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.people.tables import County
from training.programmes.states import (
    CertificateLayout,
    HalfDay,
    ProgrammeKind,
    RegistrationMode,
    SessionStatus,
)


class Programme(Table, tablename="programme"):
    id: Serial
    slug = Varchar(length=32, unique=True)
    name = Varchar(length=128)
    name_en = Varchar(length=128, default="")
    kind = Varchar(length=16, default=ProgrammeKind.SUMMER, choices=ProgrammeKind)
    description = Text(default="")
    certificate_layout = Varchar(length=16, default=CertificateLayout.LANDSCAPE, choices=CertificateLayout)
    certificate_background = Varchar(length=255, default="")  # file under the data dir
    certificate_seal = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class TrainingSession(Table, tablename="training_session"):
    """One run of a programme: 第9期暑期教师培训班 (2019), 2019 彩虹行动 南通班."""

    id: Serial
    programme = ForeignKey(Programme, on_delete=OnDelete.restrict, index=True)
    number = Integer(null=True, default=None)  # 第N期
    year = Integer(index=True)
    title = Varchar(length=128)
    starts_on = Date()
    ends_on = Date()
    venue = Varchar(length=128, default="")
    host_city = Varchar(length=64, default="")
    host_institution = Varchar(length=128, default="")
    capacity = Integer(default=0)
    seats_taken = Integer(default=0)  # confirmed + pending + nominated enrollments that hold a seat
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    mode = Varchar(length=16, default=RegistrationMode.OPEN, choices=RegistrationMode)
    status = Varchar(length=16, default=SessionStatus.DRAFT, choices=SessionStatus, index=True)
    completion_hours = Float(null=True, default=None)
    completion_percent = Float(null=True, default=None)
    release_unused_quota_on = Date(null=True, default=None)
    nomination_deadline = Timestamptz(null=True, default=None)
    contact_name = Varchar(length=64, default="")
    contact_phone = Varchar(length=32, default="")
    description = Text(default="")
    certificates_issued = Integer(default=0)  # serial counter: claimed with a conditional UPDATE
    # Whether county coordinators may download their teachers' full phone numbers and e-mails (organisers decide;
    # otherwise coordinators' roster exports carry them masked). training/enrollment/rosters.py
    coordinators_get_contacts = Boolean(default=False)
    # Whether a block a teacher was excused from counts toward her hours and certificate (organisers decide;
    # training/checkin/corrections.py, the `attendance` view in piccolo_migrations).
    excused_counts = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CountyQuota(Table, tablename="county_quota"):
    """A county eligible for a session, with its seats (quota None: eligible, no reserved seats)."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    county = ForeignKey(County, on_delete=OnDelete.restrict, index=True)
    quota = Integer(null=True, default=None)
    seats_taken = Integer(default=0)

    # UNIQUE (session, county): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)


class Block(Table, tablename="block"):
    """One unit of the timetable (a morning, afternoon or evening of one day); attendance is per block."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    half_day = Varchar(length=16, default=HalfDay.MORNING, choices=HalfDay)
    starts_at = Time()
    ends_at = Time()
    topic = Varchar(length=200, default="")
    instructor = Varchar(length=64, default="")
    room = Varchar(length=64, default="")
    hours = Float(default=3.0)
    cancelled = Boolean(default=False)
    # Check-in window: from this many minutes before starts_at to this many after ends_at (training/checkin)
    checkin_before_minutes = Integer(default=30)
    checkin_after_minutes = Integer(default=0)

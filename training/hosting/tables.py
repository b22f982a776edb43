from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.enrollment.tables import Enrollment
from training.hosting.states import PairingSource


class HostSchool(Table, tablename="host_school"):
    """A school of a Jiangsu host city that receives exchange teachers (南通市城中小学)."""

    id: Serial
    city = Varchar(length=64, index=True)  # as sessions name it: 南通市
    name = Varchar(length=128)
    district = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    # UNIQUE (city, name): a unique index created in piccolo_migrations (SQLite cannot ADD CONSTRAINT)


class Mentor(Table, tablename="host_mentor"):
    """A teacher of a host school whom exchange teachers shadow: one subject, one grade band, a capacity."""

    id: Serial
    school = ForeignKey(HostSchool, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=64)
    subject = Varchar(length=32, index=True)  # one of enrollment.rules.SUBJECTS
    grade_band = Varchar(length=16)  # kindergarten / primary / junior / senior / vocational
    capacity = Integer(default=2)  # exchange teachers at once (per cohort)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    # UNIQUE (school, name): a unique index created in piccolo_migrations


class Pairing(Table, tablename="host_pairing"):
    """An exchange teacher's (a confirmed enrollment's) host school and mentor."""

    id: Serial
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, unique=True)
    mentor = ForeignKey(Mentor, on_delete=OnDelete.restrict, index=True)
    school = ForeignKey(HostSchool, on_delete=OnDelete.restrict, index=True)  # the mentor's school
    source = Varchar(length=16, default=PairingSource.MANUAL, choices=PairingSource)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

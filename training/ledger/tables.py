from piccolo.columns import Float, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.people.tables import Teacher


class HoursStatement(Table, tablename="hours_statement"):
    """A 学时证明 as issued: a snapshot of a teacher's trainings and hours that /verify confirms by its serial."""

    id: Serial
    serial = Varchar(length=32, unique=True)  # HS-2026-7KXM2PQR: random, not enumerable
    teacher = ForeignKey(Teacher, on_delete=OnDelete.cascade, index=True)
    teacher_name = Varchar(length=64)
    total_hours = Float()
    rows = Text()  # JSON list of {title, dates, year, hours, certificate} as printed
    content_hash = Varchar(length=64, index=True)  # same content → the same statement is handed out again
    issued_at = Timestamptz(default=TimestamptzNow())

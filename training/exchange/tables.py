"""The exchange domain's tables: travel groups and legs, travellers, hotels, rooms, room places.

UNIQUE constraints and the CHECK constraints on kinds and capacities are created by the migration (on SQLite a
CHECK in CREATE TABLE; see piccolo_migrations/training_2026_12_01t08_10_00_000000.py)."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from training.enrollment.tables import Enrollment
from training.exchange.states import LegMode
from training.programmes.tables import TrainingSession


class TravelGroup(Table, tablename="exchange_travel_group"):
    """Teachers of one cohort who travel together on the same legs."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=64)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Traveller(Table, tablename="exchange_traveller"):
    """A teacher's place in the cohort's travel: her group (or none), a note, and whether she travels on legs of
    her own instead of her group's. UNIQUE (session, enrollment)."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, index=True)
    travel_group = ForeignKey(TravelGroup, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    own_legs = Boolean(default=False)
    note = Text(default="")


class TravelLeg(Table, tablename="exchange_travel_leg"):
    """One leg: of a group, or of one traveller who travels on her own (exactly one of the two is set).
    Times are instants (UTC stored), shown in China time."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    travel_group = ForeignKey(TravelGroup, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    traveller = ForeignKey(Traveller, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    position = Integer(default=1)
    mode = Varchar(length=8, default=LegMode.TRAIN, choices=LegMode)
    number = Varchar(length=16, default="")  # G1234, CA4501
    from_station = Varchar(length=64)
    to_station = Varchar(length=64)
    departs_at = Timestamptz()
    arrives_at = Timestamptz()
    meet_name = Varchar(length=64, default="")  # who meets them at the arrival station
    meet_phone_encrypted = Text(default="")
    meet_phone_masked = Varchar(length=16, default="")


class Hotel(Table, tablename="exchange_hotel"):
    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=128)
    address = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Room(Table, tablename="exchange_room"):
    """A room with its number of beds. UNIQUE (hotel, number); CHECK capacity BETWEEN 1 AND 12."""

    id: Serial
    hotel = ForeignKey(Hotel, on_delete=OnDelete.cascade, index=True)
    number = Varchar(length=16)
    capacity = Integer(default=2)


class Occupancy(Table, tablename="exchange_occupancy"):
    """A teacher's bed: one per enrollment in a session (UNIQUE (session, enrollment))."""

    id: Serial
    session = ForeignKey(TrainingSession, on_delete=OnDelete.cascade, index=True)
    room = ForeignKey(Room, on_delete=OnDelete.cascade, index=True)
    enrollment = ForeignKey(Enrollment, on_delete=OnDelete.cascade, index=True)

"""The named kinds of the exchange domain. `StrEnum`: a member is its stored string. The database refuses any
other value (CHECK constraints on PostgreSQL, triggers on SQLite: the migration that creates the tables)."""

from __future__ import annotations

from enum import StrEnum


class LegMode(StrEnum):
    """How a leg of a journey travels."""

    TRAIN = "train"
    FLIGHT = "flight"
    BUS = "bus"
    OTHER = "other"


class Gender(StrEnum):
    """A teacher's gender as her ID number carries it (the 17th digit: odd is male)."""

    MALE = "male"
    FEMALE = "female"

"""The exchange domain's tables (training/exchange/tables.py): travel groups, travellers, legs, hotels, rooms,
occupancies.

The DDL is frozen here per engine as Piccolo emitted it on 2026-12-01, with the CHECK constraints written into
CREATE TABLE (which SQLite accepts, unlike ADD CONSTRAINT): a leg's mode is one of training/exchange/states.py's
LegMode values and belongs to exactly one of a group or a traveller; a room has 1 to 12 beds. The UNIQUE
constraints are unique indexes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exchange: travel groups, travellers, legs, hotels, rooms, occupancies"

SQLITE = [
    'CREATE TABLE "exchange_travel_group" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "name" VARCHAR(64) NOT NULL DEFAULT \'\', "note" TEXT NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE INDEX exchange_travel_group_session ON "exchange_travel_group" ("session")',
    'CREATE TABLE "exchange_traveller" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "travel_group" INTEGER REFERENCES "exchange_travel_group" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "own_legs" BOOLEAN NOT NULL DEFAULT false, "note" TEXT NOT NULL DEFAULT \'\')',
    'CREATE INDEX exchange_traveller_session ON "exchange_traveller" ("session")',
    'CREATE INDEX exchange_traveller_enrollment ON "exchange_traveller" ("enrollment")',
    'CREATE INDEX exchange_traveller_travel_group ON "exchange_traveller" ("travel_group")',
    'CREATE TABLE "exchange_travel_leg" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "travel_group" INTEGER REFERENCES "exchange_travel_group" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "traveller" INTEGER REFERENCES "exchange_traveller" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "position" INTEGER NOT NULL DEFAULT 1, "mode" VARCHAR(8) NOT NULL DEFAULT \'train\', "number" VARCHAR(16) NOT NULL DEFAULT \'\', "from_station" VARCHAR(64) NOT NULL DEFAULT \'\', "to_station" VARCHAR(64) NOT NULL DEFAULT \'\', "departs_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "arrives_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "meet_name" VARCHAR(64) NOT NULL DEFAULT \'\', "meet_phone_encrypted" TEXT NOT NULL DEFAULT \'\', "meet_phone_masked" VARCHAR(16) NOT NULL DEFAULT \'\', CONSTRAINT exchange_travel_leg_mode_check CHECK ("mode" IN (\'train\', \'flight\', \'bus\', \'other\')), CONSTRAINT exchange_travel_leg_owner_check CHECK (("travel_group" IS NULL) <> ("traveller" IS NULL)))',
    'CREATE INDEX exchange_travel_leg_session ON "exchange_travel_leg" ("session")',
    'CREATE INDEX exchange_travel_leg_travel_group ON "exchange_travel_leg" ("travel_group")',
    'CREATE INDEX exchange_travel_leg_traveller ON "exchange_travel_leg" ("traveller")',
    'CREATE TABLE "exchange_hotel" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "name" VARCHAR(128) NOT NULL DEFAULT \'\', "address" VARCHAR(200) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE INDEX exchange_hotel_session ON "exchange_hotel" ("session")',
    'CREATE TABLE "exchange_room" ("id" INTEGER PRIMARY KEY NOT NULL, "hotel" INTEGER REFERENCES "exchange_hotel" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "number" VARCHAR(16) NOT NULL DEFAULT \'\', "capacity" INTEGER NOT NULL DEFAULT 2, CONSTRAINT exchange_room_capacity_check CHECK ("capacity" BETWEEN 1 AND 12))',
    'CREATE INDEX exchange_room_hotel ON "exchange_room" ("hotel")',
    'CREATE TABLE "exchange_occupancy" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "room" INTEGER REFERENCES "exchange_room" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null)',
    'CREATE INDEX exchange_occupancy_session ON "exchange_occupancy" ("session")',
    'CREATE INDEX exchange_occupancy_room ON "exchange_occupancy" ("room")',
    'CREATE INDEX exchange_occupancy_enrollment ON "exchange_occupancy" ("enrollment")',
    'CREATE UNIQUE INDEX exchange_traveller_session_enrollment ON "exchange_traveller" ("session", "enrollment")',
    'CREATE UNIQUE INDEX exchange_room_hotel_number ON "exchange_room" ("hotel", "number")',
    'CREATE UNIQUE INDEX exchange_occupancy_session_enrollment ON "exchange_occupancy" ("session", "enrollment")',
]

POSTGRES = [
    'CREATE TABLE "exchange_travel_group" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "name" VARCHAR(64) NOT NULL DEFAULT \'\', "note" TEXT NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE INDEX exchange_travel_group_session ON "exchange_travel_group" USING btree ("session")',
    'CREATE TABLE "exchange_traveller" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "travel_group" INTEGER REFERENCES "exchange_travel_group" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "own_legs" BOOLEAN NOT NULL DEFAULT false, "note" TEXT NOT NULL DEFAULT \'\')',
    'CREATE INDEX exchange_traveller_session ON "exchange_traveller" USING btree ("session")',
    'CREATE INDEX exchange_traveller_enrollment ON "exchange_traveller" USING btree ("enrollment")',
    'CREATE INDEX exchange_traveller_travel_group ON "exchange_traveller" USING btree ("travel_group")',
    'CREATE TABLE "exchange_travel_leg" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "travel_group" INTEGER REFERENCES "exchange_travel_group" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "traveller" INTEGER REFERENCES "exchange_traveller" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "position" INTEGER NOT NULL DEFAULT 1, "mode" VARCHAR(8) NOT NULL DEFAULT \'train\', "number" VARCHAR(16) NOT NULL DEFAULT \'\', "from_station" VARCHAR(64) NOT NULL DEFAULT \'\', "to_station" VARCHAR(64) NOT NULL DEFAULT \'\', "departs_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "arrives_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "meet_name" VARCHAR(64) NOT NULL DEFAULT \'\', "meet_phone_encrypted" TEXT NOT NULL DEFAULT \'\', "meet_phone_masked" VARCHAR(16) NOT NULL DEFAULT \'\', CONSTRAINT exchange_travel_leg_mode_check CHECK ("mode" IN (\'train\', \'flight\', \'bus\', \'other\')), CONSTRAINT exchange_travel_leg_owner_check CHECK (("travel_group" IS NULL) <> ("traveller" IS NULL)))',
    'CREATE INDEX exchange_travel_leg_session ON "exchange_travel_leg" USING btree ("session")',
    'CREATE INDEX exchange_travel_leg_travel_group ON "exchange_travel_leg" USING btree ("travel_group")',
    'CREATE INDEX exchange_travel_leg_traveller ON "exchange_travel_leg" USING btree ("traveller")',
    'CREATE TABLE "exchange_hotel" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "name" VARCHAR(128) NOT NULL DEFAULT \'\', "address" VARCHAR(200) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE INDEX exchange_hotel_session ON "exchange_hotel" USING btree ("session")',
    'CREATE TABLE "exchange_room" ("id" SERIAL PRIMARY KEY NOT NULL, "hotel" INTEGER REFERENCES "exchange_hotel" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "number" VARCHAR(16) NOT NULL DEFAULT \'\', "capacity" INTEGER NOT NULL DEFAULT 2, CONSTRAINT exchange_room_capacity_check CHECK ("capacity" BETWEEN 1 AND 12))',
    'CREATE INDEX exchange_room_hotel ON "exchange_room" USING btree ("hotel")',
    'CREATE TABLE "exchange_occupancy" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "room" INTEGER REFERENCES "exchange_room" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null)',
    'CREATE INDEX exchange_occupancy_session ON "exchange_occupancy" USING btree ("session")',
    'CREATE INDEX exchange_occupancy_room ON "exchange_occupancy" USING btree ("room")',
    'CREATE INDEX exchange_occupancy_enrollment ON "exchange_occupancy" USING btree ("enrollment")',
    'CREATE UNIQUE INDEX exchange_traveller_session_enrollment ON "exchange_traveller" ("session", "enrollment")',
    'CREATE UNIQUE INDEX exchange_room_hotel_number ON "exchange_room" ("hotel", "number")',
    'CREATE UNIQUE INDEX exchange_occupancy_session_enrollment ON "exchange_occupancy" ("session", "enrollment")',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager

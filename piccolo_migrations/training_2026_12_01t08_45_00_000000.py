"""The evaluation survey's tables (training/survey/tables.py): surveys, questions, responses and the "has responded"
markers.

The DDL is frozen here per engine as Piccolo emitted it on 2026-12-01, with CHECK constraints on a survey's status
and a question's kind written into CREATE TABLE (which SQLite accepts, unlike ADD CONSTRAINT).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T08:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "survey: questionnaires, questions, responses, responded markers"

SQLITE = [
    'CREATE TABLE "survey" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER UNIQUE REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "title" VARCHAR(128) NOT NULL DEFAULT \'\', "intro" TEXT NOT NULL DEFAULT \'\', "anonymous" BOOLEAN NOT NULL DEFAULT true, "opens_after_block" INTEGER REFERENCES "block" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "required_for_certificate" BOOLEAN NOT NULL DEFAULT false, "status" VARCHAR(16) NOT NULL DEFAULT \'draft\', "announced_at" TIMESTAMPTZ DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT survey_status_check CHECK ("status" IN (\'draft\', \'published\', \'closed\')))',
    'CREATE INDEX survey_session ON "survey" ("session")',
    'CREATE TABLE "survey_question" ("id" INTEGER PRIMARY KEY NOT NULL, "survey" INTEGER REFERENCES "survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "position" INTEGER NOT NULL DEFAULT 0, "kind" VARCHAR(16) NOT NULL DEFAULT \'rating\', "prompt" VARCHAR(300) NOT NULL DEFAULT \'\', "required" BOOLEAN NOT NULL DEFAULT true, "options" TEXT NOT NULL DEFAULT \'[]\', CONSTRAINT survey_question_kind_check CHECK ("kind" IN (\'rating\', \'single\', \'multiple\', \'text\')))',
    'CREATE INDEX survey_question_survey ON "survey_question" ("survey")',
    'CREATE TABLE "survey_response" ("id" INTEGER PRIMARY KEY NOT NULL, "survey" INTEGER REFERENCES "survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER UNIQUE REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "county" INTEGER REFERENCES "county" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "answers" TEXT NOT NULL DEFAULT \'{}\', "submitted_at" TIMESTAMPTZ DEFAULT null)',
    'CREATE INDEX survey_response_survey ON "survey_response" ("survey")',
    'CREATE TABLE "survey_responded" ("id" INTEGER PRIMARY KEY NOT NULL, "survey" INTEGER REFERENCES "survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER UNIQUE REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null)',
    'CREATE INDEX survey_responded_survey ON "survey_responded" ("survey")',
]

POSTGRES = [
    'CREATE TABLE "survey" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER UNIQUE REFERENCES "training_session" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "title" VARCHAR(128) NOT NULL DEFAULT \'\', "intro" TEXT NOT NULL DEFAULT \'\', "anonymous" BOOLEAN NOT NULL DEFAULT true, "opens_after_block" INTEGER REFERENCES "block" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "required_for_certificate" BOOLEAN NOT NULL DEFAULT false, "status" VARCHAR(16) NOT NULL DEFAULT \'draft\', "announced_at" TIMESTAMPTZ DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT survey_status_check CHECK ("status" IN (\'draft\', \'published\', \'closed\')))',
    'CREATE INDEX survey_session ON "survey" USING btree ("session")',
    'CREATE TABLE "survey_question" ("id" SERIAL PRIMARY KEY NOT NULL, "survey" INTEGER REFERENCES "survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "position" INTEGER NOT NULL DEFAULT 0, "kind" VARCHAR(16) NOT NULL DEFAULT \'rating\', "prompt" VARCHAR(300) NOT NULL DEFAULT \'\', "required" BOOLEAN NOT NULL DEFAULT true, "options" TEXT NOT NULL DEFAULT \'[]\', CONSTRAINT survey_question_kind_check CHECK ("kind" IN (\'rating\', \'single\', \'multiple\', \'text\')))',
    'CREATE INDEX survey_question_survey ON "survey_question" USING btree ("survey")',
    'CREATE TABLE "survey_response" ("id" SERIAL PRIMARY KEY NOT NULL, "survey" INTEGER REFERENCES "survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER UNIQUE REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "county" INTEGER REFERENCES "county" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "answers" TEXT NOT NULL DEFAULT \'{}\', "submitted_at" TIMESTAMPTZ DEFAULT null)',
    'CREATE INDEX survey_response_survey ON "survey_response" USING btree ("survey")',
    'CREATE TABLE "survey_responded" ("id" SERIAL PRIMARY KEY NOT NULL, "survey" INTEGER REFERENCES "survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER UNIQUE REFERENCES "enrollment" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null)',
    'CREATE INDEX survey_responded_survey ON "survey_responded" USING btree ("survey")',
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

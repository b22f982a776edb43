"""The statistics fact table and the triggers that keep it equal to the base tables.

`stats_fact` holds one row per enrollment with what the dashboard groups and counts: the enrollment's session,
teacher, county, school and status, the session's year and programme, the teacher's subject, and three derived
figures: check-ins on blocks that were not cancelled, the hours of those blocks, and whether an unrevoked
certificate exists. Without it every dashboard query would scan millions of check-ins.

How it stays correct: database triggers on enrollment, check_in, certificate, block, training_session and
teacher refresh the affected rows in the same transaction as the write, on both engines, so no application code
path can forget it. A refresh recomputes an enrollment's derived figures from scratch (never +1/-1 deltas),
so a refresh can be repeated without drift. On PostgreSQL the refresh first locks the fact row and then
recomputes in a new statement (a fresh READ COMMITTED snapshot), so two concurrent check-ins of one enrollment
cannot both count only themselves. `rebuild()` recomputes the whole table (bulk loads, repair).

Kept out of Piccolo's table registry on purpose: it is created by a hand-written migration, so `migrations new
--auto` in other domains never sees or diffs it.
"""

# SQL here is assembled only from constant fragments; every value is a bound {} parameter.
# ruff: noqa: S608

from __future__ import annotations

from piccolo.engine.base import Engine

from training import db

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS stats_fact (
    enrollment INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    teacher INTEGER NOT NULL,
    county INTEGER NOT NULL,
    school INTEGER NULL,
    status VARCHAR(16) NOT NULL,
    year INTEGER NOT NULL,
    programme INTEGER NOT NULL,
    subject VARCHAR(32) NOT NULL DEFAULT '',
    checkins INTEGER NOT NULL DEFAULT 0,
    hours DOUBLE PRECISION NOT NULL DEFAULT 0,
    certified INTEGER NOT NULL DEFAULT 0
)
"""

# The dashboard filters by programme/year/county and groups by county, year, programme; the teacher figures
# group by (county, teacher) among enrollments that were attended. See docs/stats.md for the measured plans.
INDEX_SQL = [
    "CREATE INDEX IF NOT EXISTS stats_fact_session ON stats_fact (session)",
    "CREATE INDEX IF NOT EXISTS stats_fact_teacher ON stats_fact (teacher, year)",
    "CREATE INDEX IF NOT EXISTS stats_fact_county_year ON stats_fact (county, year, programme)",
    "CREATE INDEX IF NOT EXISTS stats_fact_school ON stats_fact (school)",
]


def _insert_select(where: str) -> str:
    return f"""
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, COALESCE(t.subject, '')
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    JOIN teacher t ON t.id = e.teacher
    WHERE {where}"""


def _refresh(eid: str, where: str = "") -> str:
    """Recompute an enrollment's derived figures from the base rows (idempotent)."""
    return f"""
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM check_in c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = {eid} AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM check_in c JOIN block b ON b.id = c.block
               WHERE c.enrollment = {eid} AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = {eid} AND r.revoked_at IS NULL)
    WHERE {where or "enrollment = " + eid}"""


REBUILD_SQL = [
    "DELETE FROM stats_fact",
    """
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject,
                            checkins, hours, certified)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, COALESCE(t.subject, ''),
           COALESCE(a.n, 0), COALESCE(a.h, 0), CASE WHEN r.id IS NULL THEN 0 ELSE 1 END
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    JOIN teacher t ON t.id = e.teacher
    LEFT JOIN (SELECT c.enrollment, COUNT(*) AS n, SUM(b.hours) AS h
               FROM check_in c JOIN block b ON b.id = c.block
               WHERE b.cancelled = FALSE GROUP BY c.enrollment) a ON a.enrollment = e.id
    LEFT JOIN certificate r ON r.enrollment = e.id AND r.revoked_at IS NULL""",
]

_SESSION_SET = "UPDATE stats_fact SET year = NEW.year, programme = NEW.programme WHERE session = NEW.id"
_TEACHER_SET = "UPDATE stats_fact SET subject = COALESCE(NEW.subject, '') WHERE teacher = NEW.id"

SQLITE_TRIGGERS = {
    "stats_enrollment_ai": f"""CREATE TRIGGER IF NOT EXISTS stats_enrollment_ai AFTER INSERT ON enrollment BEGIN
      {_insert_select("e.id = NEW.id")}; {_refresh("NEW.id")}; END""",
    "stats_enrollment_au": f"""CREATE TRIGGER IF NOT EXISTS stats_enrollment_au AFTER UPDATE ON enrollment BEGIN
      DELETE FROM stats_fact WHERE enrollment = OLD.id;
      {_insert_select("e.id = NEW.id")}; {_refresh("NEW.id")}; END""",
    "stats_enrollment_ad": """CREATE TRIGGER IF NOT EXISTS stats_enrollment_ad AFTER DELETE ON enrollment BEGIN
      DELETE FROM stats_fact WHERE enrollment = OLD.id; END""",
    "stats_check_in_ai": f"""CREATE TRIGGER IF NOT EXISTS stats_check_in_ai AFTER INSERT ON check_in BEGIN
      {_refresh("NEW.enrollment")}; END""",
    "stats_check_in_au": f"""CREATE TRIGGER IF NOT EXISTS stats_check_in_au AFTER UPDATE ON check_in BEGIN
      {_refresh("OLD.enrollment")}; {_refresh("NEW.enrollment")}; END""",
    "stats_check_in_ad": f"""CREATE TRIGGER IF NOT EXISTS stats_check_in_ad AFTER DELETE ON check_in BEGIN
      {_refresh("OLD.enrollment")}; END""",
    "stats_certificate_ai": f"""CREATE TRIGGER IF NOT EXISTS stats_certificate_ai AFTER INSERT ON certificate BEGIN
      {_refresh("NEW.enrollment")}; END""",
    "stats_certificate_au": f"""CREATE TRIGGER IF NOT EXISTS stats_certificate_au AFTER UPDATE ON certificate BEGIN
      {_refresh("OLD.enrollment")}; {_refresh("NEW.enrollment")}; END""",
    "stats_certificate_ad": f"""CREATE TRIGGER IF NOT EXISTS stats_certificate_ad AFTER DELETE ON certificate BEGIN
      {_refresh("OLD.enrollment")}; END""",
    "stats_block_au": f"""CREATE TRIGGER IF NOT EXISTS stats_block_au AFTER UPDATE OF hours, cancelled ON block BEGIN
      {_refresh("stats_fact.enrollment", "enrollment IN (SELECT enrollment FROM check_in WHERE block = NEW.id)")};
      END""",
    "stats_session_au": f"""CREATE TRIGGER IF NOT EXISTS stats_session_au
      AFTER UPDATE OF year, programme ON training_session BEGIN {_SESSION_SET}; END""",
    "stats_teacher_au": f"""CREATE TRIGGER IF NOT EXISTS stats_teacher_au AFTER UPDATE OF subject ON teacher BEGIN
      {_TEACHER_SET}; END""",
}

PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION stats_fact_refresh(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      -- Lock first, then recompute in a new statement: its fresh snapshot sees what a concurrent
      -- transaction committed while we waited for the lock.
      PERFORM 1 FROM stats_fact WHERE enrollment = eid FOR UPDATE;
      {_refresh("eid")};
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        DELETE FROM stats_fact WHERE enrollment = OLD.id;
        RETURN NULL;
      END IF;
      IF TG_OP = 'UPDATE' THEN
        DELETE FROM stats_fact WHERE enrollment = OLD.id;
      END IF;
      {_insert_select("e.id = NEW.id")};
      PERFORM stats_fact_refresh(NEW.id);
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stats_fact_refresh(OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM stats_fact_refresh(NEW.enrollment); END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_block() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM stats_fact_refresh(x.enrollment) FROM (SELECT DISTINCT enrollment FROM check_in WHERE block = NEW.id) x;
      RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_SESSION_SET}; RETURN NULL; END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_teacher() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_TEACHER_SET}; RETURN NULL; END $$""",
]

PG_TRIGGERS = {
    "stats_enrollment_t": "AFTER INSERT OR UPDATE OR DELETE ON enrollment FOR EACH ROW EXECUTE FUNCTION stats_on_enrollment()",
    "stats_check_in_t": "AFTER INSERT OR UPDATE OR DELETE ON check_in FOR EACH ROW EXECUTE FUNCTION stats_on_attendance()",
    "stats_certificate_t": "AFTER INSERT OR UPDATE OR DELETE ON certificate FOR EACH ROW EXECUTE FUNCTION stats_on_attendance()",
    "stats_block_t": "AFTER UPDATE OF hours, cancelled ON block FOR EACH ROW EXECUTE FUNCTION stats_on_block()",
    "stats_session_t": "AFTER UPDATE OF year, programme ON training_session FOR EACH ROW EXECUTE FUNCTION stats_on_session()",
    "stats_teacher_t": "AFTER UPDATE OF subject ON teacher FOR EACH ROW EXECUTE FUNCTION stats_on_teacher()",
}
PG_TRIGGER_TABLES = {
    "stats_enrollment_t": "enrollment",
    "stats_check_in_t": "check_in",
    "stats_certificate_t": "certificate",
    "stats_block_t": "block",
    "stats_session_t": "training_session",
    "stats_teacher_t": "teacher",
}


async def install(engine: Engine) -> None:
    """Create the table, indexes and triggers (idempotent), then fill the table from the base rows."""
    await engine.run_ddl(TABLE_SQL)
    for statement in INDEX_SQL:
        await engine.run_ddl(statement)
    await install_triggers(engine)
    for statement in REBUILD_SQL:
        await engine.run_ddl(statement)


async def install_triggers(engine: Engine) -> None:
    if db.is_sqlite(engine):
        for statement in SQLITE_TRIGGERS.values():
            await engine.run_ddl(statement)
        return
    for statement in PG_FUNCTIONS:
        await engine.run_ddl(statement)
    for name, spec in PG_TRIGGERS.items():
        await engine.run_ddl(f'DROP TRIGGER IF EXISTS {name} ON "{PG_TRIGGER_TABLES[name]}"')
        await engine.run_ddl(f"CREATE TRIGGER {name} {spec}")


async def drop_triggers(engine: Engine) -> None:
    """For bulk loads (bench): drop, load, `install_triggers`, `rebuild`."""
    if db.is_sqlite(engine):
        for name in SQLITE_TRIGGERS:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name, table in PG_TRIGGER_TABLES.items():
        await engine.run_ddl(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')


async def rebuild() -> int:
    """Recompute the whole fact table in one transaction; returns its row count."""
    engine = db.current_engine()
    async with db.write_transaction():
        for statement in REBUILD_SQL:
            await engine.run_ddl(statement)
    rows = await db.raw("SELECT COUNT(*) AS n FROM stats_fact")
    return int(rows[0]["n"])

"""The statistics fact table and the triggers that keep it equal to the base tables.

`stats_fact` holds one row per enrollment with what the dashboard groups and counts: the enrollment's session,
teacher, county, school, subject and status (county, school and subject as the enrollment's snapshot keeps
them, so a teacher's later moves do not rewrite past years), the session's year and programme, and three derived
figures: attended blocks that were not cancelled, the hours of those blocks, and whether an unrevoked
certificate exists. What counts as attended is the `attendance` view (a migration creates it): check-ins not
voided, blocks marked late, and blocks marked excused where the session's `excused_counts` rule says so.
Without it every dashboard query would scan millions of check-ins.

How it stays correct: database triggers on enrollment, check_in, attendance_mark, certificate, block and
training_session refresh the affected rows in the same transaction as the write, on both engines, so no application code path can
forget it. A refresh recomputes an enrollment's derived figures from scratch (never +1/-1 deltas),
so a refresh can be repeated without drift. On PostgreSQL the refresh first locks the fact row and then
recomputes in a new statement (a fresh READ COMMITTED snapshot), so two concurrent check-ins of one enrollment
cannot both count only themselves. `rebuild()` recomputes the whole table (bulk loads, repair).

Check-ins and enrollments on PostgreSQL are the exception, for speed: the refresh and what it sets off (cell
deltas, teacher-year recounts) cost ~1 ms of database CPU, most of a scan (bench/checkin_load.py) and a large
share of a registration (bench/enroll_rush.py). There their triggers only append the enrollment to
`stats_pending`; `catch_up()` re-syncs each queued enrollment's fact row (`stats_apply_pending`: insert, update or
delete it, then refresh), one short transaction each, and every reader calls it first, so what a reader sees is
still exact. A background task in `training serve` (stats/web.py) works through the queue a little at a time.
SQLite keeps the synchronous triggers: its writes are serialised anyway and its figures are within target.

Kept out of Piccolo's table registry on purpose: it is created by a hand-written migration, so `migrations new
--auto` in other domains never sees or diffs it.
"""

# SQL here is assembled only from constant fragments; every value is a bound {} parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from piccolo.engine.base import Engine

from training import db
from training.stats.figures import YEAR_BASE

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

# Second level, maintained from stats_fact by triggers on stats_fact itself:
# - stats_cell: registered/confirmed/attended/completed/hours per (county, year, programme), about 11,000 rows for
#   a province over 20 years whatever the number of enrollments. Writers never update it: they append signed
#   differences to stats_cell_delta (appends do not contend, so concurrent check-ins never wait on a hot row),
#   readers add cells and deltas in one snapshot, and fold() moves deltas into cells in one transaction.
# - stats_teacher_years: for each (county, teacher, programme) a bitmask of the years (bit = year - 2000) in which
#   that teacher attended; programme 0 holds all programmes. "Trained in the range" is mask & range <> 0,
#   "came back" is two bits or more: m & (m - 1) <> 0. Recomputed from stats_fact for the touched teacher.
CELL_SQL = [
    """CREATE TABLE IF NOT EXISTS stats_cell (
    county INTEGER NOT NULL, year INTEGER NOT NULL, programme INTEGER NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0, confirmed INTEGER NOT NULL DEFAULT 0, attended INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0, hours DOUBLE PRECISION NOT NULL DEFAULT 0)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS stats_cell_key ON stats_cell (county, year, programme)",
    """CREATE TABLE IF NOT EXISTS stats_cell_delta (
    county INTEGER NOT NULL, year INTEGER NOT NULL, programme INTEGER NOT NULL,
    registered INTEGER NOT NULL, confirmed INTEGER NOT NULL, attended INTEGER NOT NULL,
    completed INTEGER NOT NULL, hours DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stats_teacher_years (
    county INTEGER NOT NULL, teacher INTEGER NOT NULL, programme INTEGER NOT NULL, years_mask BIGINT NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS stats_teacher_years_key ON stats_teacher_years (county, teacher, programme)",
    "CREATE INDEX IF NOT EXISTS stats_teacher_years_programme ON stats_teacher_years (programme, county, years_mask)",
    # distinct teachers: an index-only scan in teacher order, grouped without hashing
    "CREATE INDEX IF NOT EXISTS stats_teacher_years_teacher ON stats_teacher_years (programme, teacher, years_mask)",
]

# PostgreSQL only: enrollments whose check-ins changed and whose fact row awaits a refresh (see the docstring).
PG_PENDING_SQL = [
    "CREATE TABLE IF NOT EXISTS stats_pending (id BIGSERIAL PRIMARY KEY, enrollment INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS stats_pending_enrollment ON stats_pending (enrollment)",
]

# The dashboard filters by programme/year/county and groups by county, year, programme; the teacher figures
# group by (county, teacher) among enrollments that were attended. See docs/stats.md for the measured plans.
INDEX_SQL = [
    "CREATE INDEX IF NOT EXISTS stats_fact_session ON stats_fact (session)",
    "CREATE INDEX IF NOT EXISTS stats_fact_teacher ON stats_fact (teacher, year)",
    "CREATE INDEX IF NOT EXISTS stats_fact_county_year ON stats_fact (county, year, programme)",
    "CREATE INDEX IF NOT EXISTS stats_fact_school ON stats_fact (school)",
    # sessions held: one probe per session for an attended enrollment
    "CREATE INDEX IF NOT EXISTS stats_fact_session_attended ON stats_fact (session, county) WHERE checkins > 0",
]


def _insert_select(where: str) -> str:
    return f"""
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    WHERE {where}"""


def _refresh(eid: str, where: str = "") -> str:
    """Recompute an enrollment's derived figures from the base rows (idempotent)."""
    return f"""
    UPDATE stats_fact SET
      checkins = (SELECT COUNT(*) FROM attendance c JOIN block b ON b.id = c.block
                  WHERE c.enrollment = {eid} AND b.cancelled = FALSE),
      hours = (SELECT COALESCE(SUM(b.hours), 0) FROM attendance c JOIN block b ON b.id = c.block
               WHERE c.enrollment = {eid} AND b.cancelled = FALSE),
      certified = (SELECT COUNT(*) FROM certificate r WHERE r.enrollment = {eid} AND r.revoked_at IS NULL)
    WHERE {where or "enrollment = " + eid}"""


def _bit(alias: str) -> str:
    return f"(CAST(1 AS BIGINT) << ({alias}.year - {YEAR_BASE}))"


def _mask_of(county: str, teacher: str, programme: str, *, sqlite: bool = False) -> str:
    """OR of the year bits of a teacher's attended enrollments in a county (programme 0 = all programmes).
    SQLite without ANALYZE statistics took the (county, ...) index and read every fact row of the county on each
    first check-in (2.7 ms a scan at 3,000 teachers in one county, growing with it): name the teacher index."""
    hint = " INDEXED BY stats_fact_teacher" if sqlite else ""
    return f"""COALESCE((SELECT SUM(DISTINCT {_bit("f")}) FROM stats_fact f{hint}
      WHERE f.county = {county} AND f.teacher = {teacher} AND ({programme} = 0 OR f.programme = {programme})
        AND f.checkins > 0), 0)"""


def _delta(row: str, sign: str) -> str:
    return f"""INSERT INTO stats_cell_delta (county, year, programme, registered, confirmed, attended, completed, hours)
    VALUES ({row}.county, {row}.year, {row}.programme, {sign}1,
            {sign}(CASE WHEN {row}.status = 'confirmed' THEN 1 ELSE 0 END),
            {sign}(CASE WHEN {row}.checkins > 0 THEN 1 ELSE 0 END), {sign}{row}.certified, {sign}{row}.hours)"""


_CONTRIBUTION_CHANGED = """(OLD.county <> NEW.county OR OLD.year <> NEW.year OR OLD.programme <> NEW.programme
    OR OLD.status <> NEW.status OR (OLD.checkins > 0) <> (NEW.checkins > 0) OR OLD.certified <> NEW.certified
    OR OLD.hours <> NEW.hours)"""
_YEARS_CHANGED = """(OLD.county <> NEW.county OR OLD.teacher <> NEW.teacher OR OLD.programme <> NEW.programme
    OR OLD.year <> NEW.year OR (OLD.checkins > 0) <> (NEW.checkins > 0))"""


def _sqlite_years_refresh(row: str) -> str:
    parts = []
    for programme in (f"{row}.programme", "0"):
        parts.append(
            f"""INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
      VALUES ({row}.county, {row}.teacher, {programme},
              {_mask_of(f"{row}.county", f"{row}.teacher", programme, sqlite=True)})
      ON CONFLICT (county, teacher, programme) DO UPDATE SET years_mask = excluded.years_mask"""
        )
    parts.append(
        f"DELETE FROM stats_teacher_years WHERE county = {row}.county AND teacher = {row}.teacher AND years_mask = 0"
    )
    return "; ".join(parts)


FOLD_SQL = [
    # Inside one transaction (SQLite: the single writer holds the file; PostgreSQL: the DELETE only takes rows
    # this snapshot sees, so a delta committed meanwhile stays for the next fold).
    """INSERT INTO stats_cell (county, year, programme, registered, confirmed, attended, completed, hours)
    SELECT county, year, programme, SUM(registered), SUM(confirmed), SUM(attended), SUM(completed), SUM(hours)
    FROM stats_cell_delta WHERE 1 = 1 GROUP BY county, year, programme
    ON CONFLICT (county, year, programme) DO UPDATE SET
      registered = stats_cell.registered + excluded.registered, confirmed = stats_cell.confirmed + excluded.confirmed,
      attended = stats_cell.attended + excluded.attended, completed = stats_cell.completed + excluded.completed,
      hours = stats_cell.hours + excluded.hours""",
    "DELETE FROM stats_cell_delta",
    "DELETE FROM stats_cell WHERE registered = 0",
]
PG_FOLD_SQL = [
    """WITH moved AS (DELETE FROM stats_cell_delta RETURNING *)
    INSERT INTO stats_cell (county, year, programme, registered, confirmed, attended, completed, hours)
    SELECT county, year, programme, SUM(registered), SUM(confirmed), SUM(attended), SUM(completed), SUM(hours)
    FROM moved GROUP BY county, year, programme
    ON CONFLICT (county, year, programme) DO UPDATE SET
      registered = stats_cell.registered + excluded.registered, confirmed = stats_cell.confirmed + excluded.confirmed,
      attended = stats_cell.attended + excluded.attended, completed = stats_cell.completed + excluded.completed,
      hours = stats_cell.hours + excluded.hours""",
    "DELETE FROM stats_cell WHERE registered = 0",
]

REBUILD_SQL = [
    "DELETE FROM stats_cell_delta",
    "DELETE FROM stats_cell",
    "DELETE FROM stats_teacher_years",
    "DELETE FROM stats_fact",
    """
    INSERT INTO stats_fact (enrollment, session, teacher, county, school, status, year, programme, subject,
                            checkins, hours, certified)
    SELECT e.id, e.session, e.teacher, e.county, e.school, e.status, s.year, s.programme, e.subject,
           COALESCE(a.n, 0), COALESCE(a.h, 0), CASE WHEN r.id IS NULL THEN 0 ELSE 1 END
    FROM enrollment e
    JOIN training_session s ON s.id = e.session
    LEFT JOIN (SELECT c.enrollment, COUNT(*) AS n, SUM(b.hours) AS h
               FROM attendance c JOIN block b ON b.id = c.block
               WHERE b.cancelled = FALSE GROUP BY c.enrollment) a ON a.enrollment = e.id
    LEFT JOIN certificate r ON r.enrollment = e.id AND r.revoked_at IS NULL""",
    """INSERT INTO stats_cell (county, year, programme, registered, confirmed, attended, completed, hours)
    SELECT county, year, programme, COUNT(*), SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
           SUM(CASE WHEN checkins > 0 THEN 1 ELSE 0 END), SUM(certified), SUM(hours)
    FROM stats_fact GROUP BY county, year, programme""",
    f"""INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
    SELECT f.county, f.teacher, f.programme, SUM(DISTINCT {_bit("f")}) FROM stats_fact f
    WHERE f.checkins > 0 GROUP BY f.county, f.teacher, f.programme""",
    f"""INSERT INTO stats_teacher_years (county, teacher, programme, years_mask)
    SELECT f.county, f.teacher, 0, SUM(DISTINCT {_bit("f")}) FROM stats_fact f
    WHERE f.checkins > 0 GROUP BY f.county, f.teacher""",
]

# Whose facts a block's change touches: everyone checked in to it or marked for it.
_BLOCK_PEOPLE = "SELECT enrollment FROM check_in WHERE block = NEW.id UNION SELECT enrollment FROM attendance_mark WHERE block = NEW.id"
# Whose facts a session's excused rule touches: everyone marked excused in one of its blocks.
_EXCUSED_PEOPLE = (
    "SELECT m.enrollment FROM attendance_mark m JOIN block b ON b.id = m.block "
    "WHERE b.session = NEW.id AND m.kind = 'excused'"
)
_SESSION_SET = "UPDATE stats_fact SET year = NEW.year, programme = NEW.programme WHERE session = NEW.id"

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
      {_refresh("stats_fact.enrollment", f"enrollment IN ({_BLOCK_PEOPLE})")};
      END""",
    "stats_session_au": f"""CREATE TRIGGER IF NOT EXISTS stats_session_au
      AFTER UPDATE OF year, programme ON training_session BEGIN {_SESSION_SET}; END""",
    "stats_attendance_mark_ai": f"""CREATE TRIGGER IF NOT EXISTS stats_attendance_mark_ai
      AFTER INSERT ON attendance_mark BEGIN {_refresh("NEW.enrollment")}; END""",
    "stats_attendance_mark_au": f"""CREATE TRIGGER IF NOT EXISTS stats_attendance_mark_au
      AFTER UPDATE ON attendance_mark BEGIN {_refresh("OLD.enrollment")}; {_refresh("NEW.enrollment")}; END""",
    "stats_attendance_mark_ad": f"""CREATE TRIGGER IF NOT EXISTS stats_attendance_mark_ad
      AFTER DELETE ON attendance_mark BEGIN {_refresh("OLD.enrollment")}; END""",
    "stats_session_excused_au": f"""CREATE TRIGGER IF NOT EXISTS stats_session_excused_au
      AFTER UPDATE OF excused_counts ON training_session BEGIN
      {_refresh("stats_fact.enrollment", f"enrollment IN ({_EXCUSED_PEOPLE})")}; END""",
}

SQLITE_FACT_TRIGGERS = {
    "stats_fact_ai": f"""CREATE TRIGGER IF NOT EXISTS stats_fact_ai AFTER INSERT ON stats_fact BEGIN
      {_delta("NEW", "")}; {_sqlite_years_refresh("NEW")}; END""",
    "stats_fact_ad": f"""CREATE TRIGGER IF NOT EXISTS stats_fact_ad AFTER DELETE ON stats_fact BEGIN
      {_delta("OLD", "-")}; {_sqlite_years_refresh("OLD")}; END""",
    "stats_fact_au": f"""CREATE TRIGGER IF NOT EXISTS stats_fact_au AFTER UPDATE ON stats_fact
      WHEN {_CONTRIBUTION_CHANGED} BEGIN {_delta("OLD", "-")}; {_delta("NEW", "")}; END""",
    "stats_fact_au_years": f"""CREATE TRIGGER IF NOT EXISTS stats_fact_au_years AFTER UPDATE ON stats_fact
      WHEN {_YEARS_CHANGED} BEGIN {_sqlite_years_refresh("OLD")}; {_sqlite_years_refresh("NEW")}; END""",
}

PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION stats_fact_refresh(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      -- Lock first, then recompute in a new statement: its fresh snapshot sees what a concurrent
      -- transaction committed while we waited for the lock.
      PERFORM 1 FROM stats_fact WHERE enrollment = eid FOR UPDATE;
      {_refresh("eid")};
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        INSERT INTO stats_pending (enrollment) VALUES (OLD.id);
      ELSE
        INSERT INTO stats_pending (enrollment) VALUES (NEW.id);
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stats_fact_refresh(OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM stats_fact_refresh(NEW.enrollment); END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION stats_on_check_in() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO stats_pending (enrollment) VALUES (OLD.enrollment); END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO stats_pending (enrollment) VALUES (NEW.enrollment); END IF;
      RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_apply_pending(eid integer) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      -- Every queued row committed before this DELETE is also seen by the statements after it; a row
      -- committed later stays queued for the next round.
      DELETE FROM stats_pending WHERE enrollment = eid;
      IF NOT EXISTS (SELECT 1 FROM enrollment WHERE id = eid) THEN
        DELETE FROM stats_fact WHERE enrollment = eid;
        RETURN;
      END IF;
      {_insert_select("e.id = eid")}
      ON CONFLICT (enrollment) DO UPDATE SET session = excluded.session, teacher = excluded.teacher,
        county = excluded.county, school = excluded.school, status = excluded.status, year = excluded.year,
        programme = excluded.programme, subject = excluded.subject
      WHERE (stats_fact.session, stats_fact.teacher, stats_fact.county, stats_fact.school, stats_fact.status,
             stats_fact.year, stats_fact.programme, stats_fact.subject)
        IS DISTINCT FROM (excluded.session, excluded.teacher, excluded.county, excluded.school, excluded.status,
                          excluded.year, excluded.programme, excluded.subject);
      PERFORM stats_fact_refresh(eid);
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_block() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM stats_fact_refresh(x.enrollment) FROM ({_BLOCK_PEOPLE}) x;
      RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_years_refresh(c integer, t integer, p integer) RETURNS void
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      INSERT INTO stats_teacher_years (county, teacher, programme, years_mask) VALUES (c, t, p, 0)
        ON CONFLICT (county, teacher, programme) DO NOTHING;
      PERFORM 1 FROM stats_teacher_years WHERE county = c AND teacher = t AND programme = p FOR UPDATE;
      UPDATE stats_teacher_years SET years_mask = {_mask_of("c", "t", "p")}
        WHERE county = c AND teacher = t AND programme = p;
      DELETE FROM stats_teacher_years WHERE county = c AND teacher = t AND programme = p AND years_mask = 0;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_fact() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        {_delta("NEW", "")};
        PERFORM stats_years_refresh(NEW.county, NEW.teacher, NEW.programme);
        PERFORM stats_years_refresh(NEW.county, NEW.teacher, 0);
      ELSIF TG_OP = 'DELETE' THEN
        {_delta("OLD", "-")};
        PERFORM stats_years_refresh(OLD.county, OLD.teacher, OLD.programme);
        PERFORM stats_years_refresh(OLD.county, OLD.teacher, 0);
      ELSE
        IF {_CONTRIBUTION_CHANGED} THEN
          {_delta("OLD", "-")};
          {_delta("NEW", "")};
        END IF;
        IF {_YEARS_CHANGED} THEN
          PERFORM stats_years_refresh(OLD.county, OLD.teacher, OLD.programme);
          PERFORM stats_years_refresh(OLD.county, OLD.teacher, 0);
          PERFORM stats_years_refresh(NEW.county, NEW.teacher, NEW.programme);
          PERFORM stats_years_refresh(NEW.county, NEW.teacher, 0);
        END IF;
      END IF;
      RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {_SESSION_SET}; RETURN NULL; END $$""",
    f"""CREATE OR REPLACE FUNCTION stats_on_excused_rule() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO stats_pending (enrollment) {_EXCUSED_PEOPLE}; RETURN NULL; END $$""",
]

PG_TRIGGERS = {
    # Only the columns a fact row reads: a registration's waiting-list number or timestamps queue no refresh.
    "stats_enrollment_t": "AFTER INSERT OR DELETE OR UPDATE OF session, teacher, county, school, status, subject "
    "ON enrollment FOR EACH ROW EXECUTE FUNCTION stats_on_enrollment()",
    "stats_check_in_t": "AFTER INSERT OR UPDATE OR DELETE ON check_in FOR EACH ROW EXECUTE FUNCTION stats_on_check_in()",
    "stats_certificate_t": "AFTER INSERT OR UPDATE OR DELETE ON certificate FOR EACH ROW EXECUTE FUNCTION stats_on_attendance()",
    "stats_block_t": "AFTER UPDATE OF hours, cancelled ON block FOR EACH ROW EXECUTE FUNCTION stats_on_block()",
    "stats_session_t": "AFTER UPDATE OF year, programme ON training_session FOR EACH ROW EXECUTE FUNCTION stats_on_session()",
    "stats_fact_t": "AFTER INSERT OR UPDATE OR DELETE ON stats_fact FOR EACH ROW EXECUTE FUNCTION stats_on_fact()",
    # a mark queues its enrollment like a check-in does (the function reads OLD/NEW.enrollment)
    "stats_attendance_mark_t": "AFTER INSERT OR UPDATE OR DELETE ON attendance_mark FOR EACH ROW "
    "EXECUTE FUNCTION stats_on_check_in()",
    "stats_excused_rule_t": "AFTER UPDATE OF excused_counts ON training_session FOR EACH ROW "
    "WHEN (OLD.excused_counts IS DISTINCT FROM NEW.excused_counts) EXECUTE FUNCTION stats_on_excused_rule()",
}
PG_TRIGGER_TABLES = {
    "stats_enrollment_t": "enrollment",
    "stats_check_in_t": "check_in",
    "stats_certificate_t": "certificate",
    "stats_block_t": "block",
    "stats_session_t": "training_session",
    "stats_fact_t": "stats_fact",
    "stats_attendance_mark_t": "attendance_mark",
    "stats_excused_rule_t": "training_session",
}


async def install(engine: Engine) -> None:
    """Create the tables, indexes and triggers (idempotent) and fill them from the base rows."""
    await engine.run_ddl(TABLE_SQL)
    pending = [] if db.is_sqlite(engine) else PG_PENDING_SQL
    for statement in [*CELL_SQL, *INDEX_SQL, *pending]:
        await engine.run_ddl(statement)
    await drop_triggers(engine)
    for statement in REBUILD_SQL:
        await engine.run_ddl(statement)
    await install_triggers(engine)


async def install_triggers(engine: Engine) -> None:
    if db.is_sqlite(engine):
        for statement in [*SQLITE_TRIGGERS.values(), *SQLITE_FACT_TRIGGERS.values()]:
            await engine.run_ddl(statement)
        return
    for statement in PG_FUNCTIONS:
        await engine.run_ddl(statement)
    for name, spec in PG_TRIGGERS.items():
        await engine.run_ddl(f'DROP TRIGGER IF EXISTS {name} ON "{PG_TRIGGER_TABLES[name]}"')
        await engine.run_ddl(f"CREATE TRIGGER {name} {spec}")


async def _drop_fact_triggers(engine: Engine) -> None:
    if db.is_sqlite(engine):
        for name in SQLITE_FACT_TRIGGERS:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
    else:
        await engine.run_ddl("DROP TRIGGER IF EXISTS stats_fact_t ON stats_fact")


async def _create_fact_triggers(engine: Engine) -> None:
    if db.is_sqlite(engine):
        for statement in SQLITE_FACT_TRIGGERS.values():
            await engine.run_ddl(statement)
    else:
        await engine.run_ddl(f"CREATE TRIGGER stats_fact_t {PG_TRIGGERS['stats_fact_t']}")


async def drop_triggers(engine: Engine) -> None:
    """For bulk loads (bench): drop, load, `install_triggers`, `rebuild`."""
    if db.is_sqlite(engine):
        for name in [*SQLITE_TRIGGERS, *SQLITE_FACT_TRIGGERS]:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name, table in PG_TRIGGER_TABLES.items():
        await engine.run_ddl(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')


@asynccontextmanager
async def _transaction() -> AsyncIterator[None]:
    """A write transaction, or the caller's if one is open (the SQLite writer lock is not re-entrant)."""
    if db.current_engine().current_transaction.get() is not None:
        yield
        return
    async with db.transaction():
        yield


async def rebuild() -> int:
    """Recompute every statistics table from the base rows in one transaction; returns the enrollment count.
    The triggers on stats_fact are dropped for the bulk INSERT and recreated in the same transaction."""
    engine = db.current_engine()
    async with _transaction():
        await _drop_fact_triggers(engine)
        if not db.is_sqlite(engine):  # the rebuild counts every check-in this snapshot sees
            await engine.run_ddl("DELETE FROM stats_pending")
        for statement in REBUILD_SQL:
            await engine.run_ddl(statement)
        await _create_fact_triggers(engine)
    rows = await db.fetch("SELECT COUNT(*) AS n FROM stats_fact")
    return int(rows[0]["n"])


async def fold() -> None:
    """Move the appended cell differences into stats_cell (readers add both, so this only keeps reads short)."""
    engine = db.current_engine()
    async with _transaction():
        for statement in FOLD_SQL if db.is_sqlite(engine) else PG_FOLD_SQL:
            await engine.run_ddl(statement)


CATCH_UP_BATCH = 500


async def catch_up(limit: int | None = None) -> int:
    """Refresh the fact rows of every enrollment queued until now (PostgreSQL; nothing to do on SQLite), or of
    at most `limit` of them (the background task, which must not take the CPU from a scanning rush).

    One statement, hence one short transaction, per enrollment: no transaction ever holds two fact-row locks, so
    it cannot deadlock with the synchronous triggers (certificate batches) or another process catching up.
    Only rows queued before the call are taken, so a steady stream of scans cannot keep a reader here."""
    engine = db.current_engine()
    if db.is_sqlite(engine):
        return 0
    newest = (await db.fetch("SELECT MAX(id) AS id FROM stats_pending"))[0]["id"]
    if newest is None:
        return 0
    done = 0
    while True:
        batch = CATCH_UP_BATCH if limit is None else min(CATCH_UP_BATCH, limit - done)
        rows = await db.fetch(
            "SELECT DISTINCT enrollment FROM stats_pending WHERE id <= {} ORDER BY enrollment LIMIT {}",
            newest,
            batch,
        )
        for row in rows:
            await db.fetch("SELECT stats_apply_pending({})", row["enrollment"])
        done += len(rows)
        if len(rows) < batch or (limit is not None and done >= limit):
            return done


async def catch_up_in_bulk() -> None:
    """Bulk loads (the demo): refresh everything queued in one statement, inside the loader's transaction."""
    if db.is_sqlite(db.current_engine()):
        return
    await db.fetch(
        "SELECT stats_apply_pending(enrollment) FROM "
        "(SELECT DISTINCT enrollment FROM stats_pending ORDER BY enrollment) AS queued"
    )

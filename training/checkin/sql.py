"""Every statement of the check-in package that leaves Piccolo, and the readers of the values its rows carry.

Statements use `{}` placeholders (both engines), except `BATCH_SQL`, PostgreSQL's shared scan statement with
numbered ones (training/checkin/coalesce.py). SQLite hands dates and times back as text: `as_date`, `as_time` and
`as_datetime` read either spelling.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from training import db
from training.errors import NotFound

# --- the scan (training/checkin/scans.py) -----------------------------------------------------------------------

# Every fact a scan's verdict reads, in one row: the block, its session's dates, the enrollment (by id or by
# manual code), the teacher's name, county and school, and an existing check-in of this enrollment at this block.
_FACTS_SQL = """
SELECT b.id AS b_id, b.session AS b_session, b.day AS b_day, b.cancelled AS b_cancelled,
       b.starts_at AS b_starts, b.ends_at AS b_ends, b.checkin_before_minutes AS b_before,
       b.checkin_after_minutes AS b_after, ts.starts_on AS s_starts, ts.ends_on AS s_ends,
       e.id AS e_id, e.session AS e_session, e.status AS e_status, e.token_nonce AS e_nonce,
       t.name AS t_name, c.name AS c_name, s.name AS s_name, t.school_name AS t_school,
       ci.scanned_at AS ci_at, ci.staff_name AS ci_by, ci.client_id AS ci_client
FROM (SELECT 1 AS one) AS one
LEFT JOIN "block" AS b ON b.id = {}
LEFT JOIN "training_session" AS ts ON ts.id = b.session
LEFT JOIN "enrollment" AS e ON e.%s = {}
LEFT JOIN "teacher" AS t ON t.id = e.teacher
LEFT JOIN "county" AS c ON c.id = e.county
LEFT JOIN "school" AS s ON s.id = e.school
LEFT JOIN "check_in" AS ci ON ci.enrollment = e.id AND ci.block = b.id AND ci.voided_at IS NULL
"""
FACTS_BY_ID = _FACTS_SQL % "id"
FACTS_BY_CODE = _FACTS_SQL % "manual_code"
INSERT_SQL = """
INSERT INTO "check_in" ("enrollment", "block", "scanned_at", "recorded_at", "staff", "staff_name", "device_id",
                        "client_id")
VALUES ({}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT DO NOTHING
RETURNING "id"
"""
# After an insert that lost: the row that won, by client id (a retry) or by (enrollment, block) (a race).
# A voided row is the winner only for its own client id (a retry of a scan since undone).
WINNER_SQL = """
SELECT enrollment, block, scanned_at, staff_name, client_id, voided_at FROM "check_in"
WHERE client_id = {} OR (enrollment = {} AND block = {} AND voided_at IS NULL)
"""

# PostgreSQL: the single-scan rule applied to many scans at once (training/checkin/coalesce.py). The facts of every
# scan (the same columns the Python verdict reads), the conditional insert, and per scan the id it inserted. The
# WHERE clause is `status.verdict(...) == OK` spelled in SQL (the check-in window as `status.in_block_window`:
# seconds of the local day, computed in Python); the tests run every status on both engines, and the
# scan logs an error should the two ever disagree.
BATCH_SQL = """
WITH scan AS (
  SELECT * FROM unnest({}::integer[], {}::integer[], {}::varchar[], {}::timestamptz[], {}::timestamptz[],
                       {}::integer[], {}::varchar[], {}::varchar[], {}::varchar[], {}::date[], {}::varchar[],
                       {}::boolean[], {}::integer[], {}::boolean[])
    WITH ORDINALITY AS s (block_id, enrollment_id, manual_code, scanned_at, recorded_at, staff, staff_name,
                          device_id, client_id, local_day, nonce, in_window, local_seconds, confirmed, ord)
),
facts AS (
  SELECT s.*, b.id AS b_id, b.session AS b_session, b.day AS b_day, b.cancelled AS b_cancelled,
         b.starts_at AS b_starts, b.ends_at AS b_ends, b.checkin_before_minutes AS b_before,
         b.checkin_after_minutes AS b_after, ts.starts_on AS s_starts, ts.ends_on AS s_ends,
         e.id AS e_id, e.session AS e_session, e.status AS e_status, e.token_nonce AS e_nonce,
         t.name AS t_name, c.name AS c_name, sc.name AS s_name, t.school_name AS t_school,
         ci.scanned_at AS ci_at, ci.staff_name AS ci_by, ci.client_id AS ci_client
  FROM scan AS s
  LEFT JOIN "block" AS b ON b.id = s.block_id
  LEFT JOIN "training_session" AS ts ON ts.id = b.session
  LEFT JOIN "enrollment" AS e ON e.id = COALESCE(
    s.enrollment_id, (SELECT x.id FROM "enrollment" AS x WHERE x.manual_code = s.manual_code))
  LEFT JOIN "teacher" AS t ON t.id = e.teacher
  LEFT JOIN "county" AS c ON c.id = e.county
  LEFT JOIN "school" AS sc ON sc.id = e.school
  LEFT JOIN "check_in" AS ci ON ci.enrollment = e.id AND ci.block = b.id AND ci.voided_at IS NULL
),
ins AS (
  INSERT INTO "check_in" ("enrollment", "block", "scanned_at", "recorded_at", "staff", "staff_name", "device_id",
                          "client_id")
  SELECT f.e_id, f.b_id, f.scanned_at, f.recorded_at, f.staff, f.staff_name, f.device_id, f.client_id
  FROM facts AS f
  WHERE f.in_window AND f.b_id IS NOT NULL AND NOT f.b_cancelled AND f.b_day = f.local_day
    AND f.local_day BETWEEN f.s_starts AND f.s_ends AND f.e_id IS NOT NULL AND f.e_session = f.b_session
    AND (CASE WHEN f.nonce IS NULL THEN f.e_nonce <> 'withdrawn' ELSE f.e_nonce = f.nonce END)
    AND f.e_status = 'confirmed' AND f.ci_at IS NULL
    AND (f.confirmed OR f.local_seconds BETWEEN EXTRACT(EPOCH FROM f.b_starts)::integer - 60 * f.b_before
                                            AND EXTRACT(EPOCH FROM f.b_ends)::integer + 60 * f.b_after)
  ORDER BY f.e_id, f.b_id, f.ord  -- one key order for every batch (no deadlock between two); the earlier scan wins
  ON CONFLICT DO NOTHING
  RETURNING "id", "client_id"
)
SELECT f.b_id, f.b_session, f.b_day, f.b_cancelled, f.b_starts, f.b_ends, f.b_before, f.b_after, f.s_starts,
       f.s_ends, f.e_id, f.e_session, f.e_status,
       f.e_nonce, f.t_name, f.c_name, f.s_name, f.t_school, f.ci_at, f.ci_by, f.ci_client, ins.id AS inserted
FROM facts AS f LEFT JOIN ins ON ins.client_id = f.client_id ORDER BY f.ord
"""


async def scan_batch(columns: list[list[Any]]) -> list[dict[str, Any]]:
    """PostgreSQL: run `BATCH_SQL` over the scans' columns (one list per placeholder)."""
    return await db.fetch(BATCH_SQL, *columns)


# --- reading values SQLite returns as text ------------------------------------------------------------------------


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def as_datetime(value: Any) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- a replaced QR code (training/checkin/reissue.py) -------------------------------------------------------------


async def token_nonce(enrollment_id: int) -> str | None:
    """The enrollment's token_nonce ("" for the first code), or None when there is no such enrollment."""
    rows = await db.fetch('SELECT token_nonce FROM "enrollment" WHERE id = {}', enrollment_id)
    return (rows[0]["token_nonce"] or "") if rows else None


async def set_token_nonce(enrollment_id: int, nonce: str) -> None:
    await db.fetch('UPDATE "enrollment" SET token_nonce = {} WHERE id = {}', nonce, enrollment_id)


# --- blocks to scan for (training/checkin/choices.py) -------------------------------------------------------------


async def blocks_around(today: date) -> list[dict[str, Any]]:
    """Sessions running from three days ago to a week ahead, with their blocks, in order."""
    return await db.fetch(
        "SELECT s.id AS s_id, s.title AS title, b.id AS b_id, b.day AS day, b.half_day AS half_day, "
        "b.starts_at AS starts_at, b.ends_at AS ends_at, b.topic AS topic, b.cancelled AS cancelled "
        'FROM "training_session" AS s JOIN "block" AS b ON b.session = s.id '
        "WHERE s.starts_on <= {} AND s.ends_on >= {} ORDER BY s.starts_on, s.id, b.day, b.starts_at",
        today + timedelta(days=7),
        today - timedelta(days=3),
    )


async def session_blocks(session_id: int) -> list[dict[str, Any]]:
    """A session's blocks that are not cancelled (id, day), in order."""
    return await db.fetch(
        'SELECT "id", "day" FROM "block" WHERE "session" = {} AND NOT "cancelled" ORDER BY "day", "starts_at"',
        session_id,
    )


async def open_sessions() -> list[dict[str, Any]]:
    """Sessions an organiser can assign staff to: not closed, newest first."""
    return await db.fetch(
        'SELECT "id", "title", "starts_on", "ends_on", "status" FROM "training_session" '
        'WHERE "status" <> \'closed\' ORDER BY "starts_on" DESC, "id" DESC'
    )


# --- attendance: rosters, counts, dashboard, badges (training/checkin/attendance.py, rosters.py) -------------------


async def block_row(block_id: int) -> dict[str, Any]:
    """A block with its session's title; NotFound when there is none."""
    rows = await db.fetch(
        "SELECT b.id, b.session, b.day, b.starts_at, b.ends_at, b.topic, b.half_day, b.cancelled, s.title, "
        "b.checkin_before_minutes, b.checkin_after_minutes "
        'FROM "block" AS b JOIN "training_session" AS s ON s.id = b.session WHERE b.id = {}',
        block_id,
    )
    if not rows:
        raise NotFound("block_not_found")
    return rows[0]


async def session_title(session_id: int) -> str:
    rows = await db.fetch('SELECT title FROM "training_session" WHERE id = {}', session_id)
    if not rows:
        raise NotFound()
    return str(rows[0]["title"])


async def block_counts(block_id: int) -> tuple[int, int]:
    """(checked in, expected: the confirmed enrollments of the block's session); NotFound when no such block."""
    rows = await db.fetch(
        'SELECT (SELECT COUNT(*) FROM "check_in" WHERE block = b.id AND voided_at IS NULL) AS checked_in, '
        "(SELECT COUNT(*) FROM \"enrollment\" WHERE session = b.session AND status = 'confirmed') AS expected "
        'FROM "block" AS b WHERE b.id = {}',
        block_id,
    )
    if not rows:
        raise NotFound("block_not_found")
    return int(rows[0]["checked_in"]), int(rows[0]["expected"])


_PEOPLE_SQL = """
SELECT e.id AS e_id, e.status AS status, e.manual_code AS manual_code, e.token_nonce AS nonce, t.name AS name,
       c.id AS county_id,
       c.name AS county, COALESCE(s.name, t.school_name) AS school, t.phone_encrypted AS phone_encrypted,
       ci.scanned_at AS ci_at, ci.staff_name AS ci_by
FROM "enrollment" AS e
JOIN "teacher" AS t ON t.id = e.teacher
JOIN "county" AS c ON c.id = e.county
LEFT JOIN "school" AS s ON s.id = e.school
LEFT JOIN "check_in" AS ci ON ci.enrollment = e.id AND ci.block = {} AND ci.voided_at IS NULL
WHERE e.session = {}
ORDER BY c.name, t.name, e.id
"""


async def people(session_id: int, block_id: int = 0) -> list[dict[str, Any]]:
    """Everyone enrolled in the session (any status), in county then name order, with their check-in at
    `block_id` if any (0: none looked up)."""
    return await db.fetch(_PEOPLE_SQL, block_id, session_id)


# --- attendance corrections (training/checkin/corrections.py) ----------------------------------------------------

# A block's sheet: everyone enrolled in its session with a status that can attend, her live check-in and her mark.
SHEET_SQL = """
SELECT e.id AS e_id, e.status AS status, t.name AS name, c.name AS county, COALESCE(s.name, t.school_name) AS school,
       ci.id AS ci_id, ci.scanned_at AS ci_at, ci.staff_name AS ci_by,
       m.kind AS mark, m.note AS mark_note, m.marked_by_name AS mark_by
FROM "enrollment" AS e
JOIN "teacher" AS t ON t.id = e.teacher
JOIN "county" AS c ON c.id = e.county
LEFT JOIN "school" AS s ON s.id = e.school
LEFT JOIN "check_in" AS ci ON ci.enrollment = e.id AND ci.block = {} AND ci.voided_at IS NULL
LEFT JOIN "attendance_mark" AS m ON m.enrollment = e.id AND m.block = {}
WHERE e.session = {} AND (e.status = 'confirmed' OR ci.id IS NOT NULL OR m.id IS NOT NULL)
ORDER BY c.name, t.name, e.id
"""

VOIDED_SQL = """
SELECT ci.id AS id, t.name AS name, ci.scanned_at AS scanned_at, ci.staff_name AS scanned_by,
       ci.voided_at AS voided_at, ci.voided_by_name AS voided_by, ci.void_reason AS reason
FROM "check_in" AS ci JOIN "enrollment" AS e ON e.id = ci.enrollment JOIN "teacher" AS t ON t.id = e.teacher
WHERE ci.block = {} AND ci.voided_at IS NOT NULL ORDER BY ci.voided_at DESC, ci.id DESC
"""

VOID_SQL = """
UPDATE "check_in" SET voided_at = {}, voided_by = {}, voided_by_name = {}, void_reason = {}
WHERE id = {} AND voided_at IS NULL
RETURNING enrollment, block, scanned_at, staff_name, client_id
"""


async def check_in_row(check_in_id: int) -> dict[str, Any] | None:
    rows = await db.fetch(
        'SELECT ci.id, ci.enrollment, ci.block, ci.voided_at, b.session FROM "check_in" AS ci '
        'JOIN "block" AS b ON b.id = ci.block WHERE ci.id = {}',
        check_in_id,
    )
    return rows[0] if rows else None


async def void_check_in(
    check_in_id: int, at: datetime, by: int | None, by_name: str, reason: str
) -> dict[str, Any] | None:
    rows = await db.fetch(VOID_SQL, at, by, by_name[:64], reason, check_in_id)
    return rows[0] if rows else None


async def block_sheet(block_id: int, session_id: int) -> list[dict[str, Any]]:
    return await db.fetch(SHEET_SQL, block_id, block_id, session_id)


async def voided_check_ins(block_id: int) -> list[dict[str, Any]]:
    return await db.fetch(VOIDED_SQL, block_id)


async def enrollment_session(enrollment_id: int) -> int | None:
    rows = await db.fetch('SELECT session FROM "enrollment" WHERE id = {}', enrollment_id)
    return int(rows[0]["session"]) if rows else None


async def mark_of(enrollment_id: int, block_id: int) -> dict[str, Any] | None:
    rows = await db.fetch(
        'SELECT kind, note FROM "attendance_mark" WHERE enrollment = {} AND block = {}',
        enrollment_id,
        block_id,
    )
    return rows[0] if rows else None


async def put_mark(
    enrollment_id: int, block_id: int, kind: str, note: str, at: datetime, by: int | None, by_name: str
) -> None:
    await db.fetch(
        'INSERT INTO "attendance_mark" (enrollment, block, kind, note, marked_by, marked_by_name, marked_at) '
        "VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (enrollment, block) DO UPDATE SET kind = excluded.kind, "
        "note = excluded.note, marked_by = excluded.marked_by, marked_by_name = excluded.marked_by_name, "
        "marked_at = excluded.marked_at",
        enrollment_id,
        block_id,
        kind,
        note,
        by,
        by_name[:64],
        at,
    )


async def delete_mark(enrollment_id: int, block_id: int) -> None:
    await db.fetch(
        'DELETE FROM "attendance_mark" WHERE enrollment = {} AND block = {}', enrollment_id, block_id
    )


async def block_window(block_id: int) -> dict[str, Any]:
    rows = await db.fetch(
        "SELECT id, session, checkin_before_minutes AS opens_before, checkin_after_minutes AS closes_after "
        'FROM "block" WHERE id = {}',
        block_id,
    )
    if not rows:
        raise NotFound("block_not_found")
    return rows[0]


async def set_block_window(block_id: int, before: int, after: int) -> None:
    await db.fetch(
        'UPDATE "block" SET checkin_before_minutes = {}, checkin_after_minutes = {} WHERE id = {}',
        before,
        after,
        block_id,
    )


async def excused_counts(session_id: int) -> bool:
    rows = await db.fetch('SELECT excused_counts FROM "training_session" WHERE id = {}', session_id)
    if not rows:
        raise NotFound()
    return bool(rows[0]["excused_counts"])


async def set_excused_counts(session_id: int, counts: bool) -> None:
    await db.fetch('UPDATE "training_session" SET excused_counts = {} WHERE id = {}', counts, session_id)

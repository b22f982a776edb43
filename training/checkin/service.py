"""Check-in use cases: redeem a scan, upload an offline batch, a block's roster, counts and dashboard.

A scan gathers every fact (block, enrollment, teacher, existing check-in) and inserts with
`INSERT ... ON CONFLICT DO NOTHING RETURNING id`: on PostgreSQL one statement (a CTE) shared by the scans that
arrive together (`coalesce`), on SQLite two (through the persistent connection of `training.sqlite_fast`). The
unique indexes on (enrollment, block) and on client_id make the insert the arbiter: under a race exactly one
insert returns a row, the others read the winner (one more statement, only then). The decision itself is
`status.verdict` (pure).
"""

from __future__ import annotations

import logging
import re
import secrets
import sqlite3
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypedDict

from training import db, keys, sqlite_fast
from training.audit import writer as audit
from training.checkin import coalesce
from training.checkin import status as st
from training.checkin.states import CodeKind, Verdict
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.core.tokens import MAX_GENERATION, generation_of, make_token, nonce_of, read_token_generation
from training.errors import Conflict, NotFound, ValidationFailed
from training.i18n import N_, register_messages
from training.people.service import reveal_phone

log = logging.getLogger("training.checkin")
MAX_BATCH = 500
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

register_messages(
    {
        "invalid_client_id": N_("The scan has no valid client id."),
        "batch_too_large": N_("At most {max} scans per upload."),
        "block_not_found": N_("This block does not exist."),
        "code_not_replaceable": N_(
            "This check-in code was withdrawn or replaced too often; it cannot be replaced."
        ),
    }
)


@dataclass(frozen=True)
class Scan:
    code: str
    block_id: int
    client_id: str
    device_id: str = ""
    scanned_at: datetime | None = None


@dataclass
class ScanResult:
    status: Verdict
    client_id: str
    enrollment_id: int | None = None
    name: str = ""
    county: str = ""
    school: str = ""
    at: datetime | None = None  # ok: this scan's time; already_checked_in: the first check-in's
    by: str = ""  # already_checked_in: who checked them in first
    replayed: bool = False  # a retry of a scan already recorded under this client id

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "client_id": self.client_id,
            "enrollment_id": self.enrollment_id,
            "name": self.name,
            "county": self.county,
            "school": self.school,
            "at": self.at.astimezone(UTC).isoformat() if self.at else None,
            "at_local": self.at.astimezone(LOCAL_TZ).strftime("%H:%M") if self.at else "",
            "by": self.by,
            "replayed": self.replayed,
        }


# ---------------------------------------------------------------------------------------------------------------
# The scan, written once as a sequence of statements; a driver per engine runs it.

_FACTS_SQL = """
SELECT b.id AS b_id, b.session AS b_session, b.day AS b_day, b.cancelled AS b_cancelled,
       ts.starts_on AS s_starts, ts.ends_on AS s_ends,
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
LEFT JOIN "check_in" AS ci ON ci.enrollment = e.id AND ci.block = b.id
"""
_FACTS_BY_ID = _FACTS_SQL % "id"
_FACTS_BY_CODE = _FACTS_SQL % "manual_code"
_INSERT_SQL = """
INSERT INTO "check_in" ("enrollment", "block", "scanned_at", "recorded_at", "staff", "staff_name", "device_id",
                        "client_id")
VALUES ({}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT DO NOTHING
RETURNING "id"
"""
_WINNER_SQL = """
SELECT enrollment, block, scanned_at, staff_name, client_id FROM "check_in"
WHERE client_id = {} OR (enrollment = {} AND block = {})
"""

Step = Generator[tuple[str, tuple[Any, ...]], list[dict[str, Any]], ScanResult]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_datetime(value: Any) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _scan_steps(
    scan: Scan, staff: Actor, now: datetime, window: timedelta, *, one_statement: bool = False
) -> Step:
    """The statements of one scan. one_statement (PostgreSQL): facts and conditional insert in one statement,
    shared with the scans arriving at the same time (`coalesce`)."""
    code = st.normalize_code(scan.code)
    kind = st.code_kind(code)
    result = ScanResult(status=Verdict.INVALID, client_id=scan.client_id)
    scanned_at = st.effective_scan_time(scan.scanned_at, now)
    insert_args = (scanned_at, now, staff.user_id, staff.name[:64], scan.device_id[:64], scan.client_id)
    nonce: str | None = None  # the token_nonce the scanned QR code is valid for; None for a manual code
    if kind is CodeKind.TOKEN:
        read = read_token_generation(keys.current().qr_token, code)
        if read is None:  # forged or altered: answered without touching the database
            return result
        key: Any = read[0]
        nonce = nonce_of(read[1])
    elif kind is CodeKind.MANUAL:
        key = code
    else:
        return result
    # back-dated, or uploaded too long after: refused (a retry of a scan already recorded still reads as such)
    in_window = st.scan_in_window(scanned_at, now, window)
    if one_statement:
        row = coalesce.ScanRow(
            scan.block_id,
            key if kind is CodeKind.TOKEN else None,
            key if kind is CodeKind.MANUAL else None,
            *insert_args,
            local_day=scanned_at.astimezone(LOCAL_TZ).date(),
            nonce=nonce,
            in_window=in_window,
        )
        rows = yield (coalesce.BATCH_SQL, (row,))
    else:
        rows = yield (_FACTS_BY_ID if kind is CodeKind.TOKEN else _FACTS_BY_CODE, (scan.block_id, key))
    facts = rows[0]
    if facts["e_id"] is None and kind is CodeKind.MANUAL:
        return result  # nobody has this code: a typo
    result.enrollment_id = facts["e_id"]
    result.name = facts["t_name"] or ""
    result.county = facts["c_name"] or ""
    result.school = facts["s_name"] or facts["t_school"] or ""
    if facts["ci_client"] is not None and facts["ci_client"] == scan.client_id:
        result.status, result.replayed = Verdict.OK, True
        result.at, result.by = _as_datetime(facts["ci_at"]), facts["ci_by"] or ""
        return result
    block = (
        st.BlockFacts(
            int(facts["b_session"]),
            _as_date(facts["b_day"]),
            bool(facts["b_cancelled"]),
            _as_date(facts["s_starts"]),
            _as_date(facts["s_ends"]),
        )
        if facts["b_id"] is not None
        else None
    )
    generation = generation_of(facts["e_nonce"] or "")
    enrollment = (
        st.EnrollmentFacts(
            int(facts["e_session"]),
            facts["e_status"],
            code_valid=generation is not None if nonce is None else generation_of(nonce) == generation,
        )
        if facts["e_id"] is not None
        else None
    )
    verdict = st.verdict(
        block,
        enrollment,
        scanned_at.astimezone(LOCAL_TZ).date(),
        facts["ci_at"] is not None,
        in_window=in_window,
    )
    result.status = verdict
    if (
        one_statement and verdict != Verdict.OK and facts["inserted"] is not None
    ):  # SQL and Python rules disagree
        log.error("check-in rules drifted: %s inserted a row for client id %s", verdict, scan.client_id)
    if verdict == Verdict.ALREADY_CHECKED_IN:
        result.at, result.by = _as_datetime(facts["ci_at"]), facts["ci_by"] or ""
    if verdict != Verdict.OK:
        return result
    if one_statement:
        inserted = facts["inserted"] is not None
    else:
        inserted = bool((yield (_INSERT_SQL, (result.enrollment_id, scan.block_id, *insert_args))))
    if inserted:
        result.at, result.by = scanned_at, staff.name
        return result
    # Lost a race (or a concurrent retry): the row that won tells what happened.
    winners = yield (_WINNER_SQL, (scan.client_id, result.enrollment_id, scan.block_id))
    mine = [w for w in winners if w["client_id"] == scan.client_id]
    winner = mine[0] if mine else winners[0] if winners else None
    if winner is None or (
        mine and (winner["enrollment"], winner["block"]) != (result.enrollment_id, scan.block_id)
    ):
        result.status = Verdict.INVALID  # a client id reused for another scan: a client bug, not a check-in
        return result
    result.status, result.replayed = (Verdict.OK, True) if mine else (Verdict.ALREADY_CHECKED_IN, False)
    result.at, result.by = _as_datetime(winner["scanned_at"]), winner["staff_name"] or ""
    return result


def _drive_sqlite(conn: sqlite3.Connection, steps: Step) -> ScanResult:
    try:
        statement = next(steps)
        while True:
            statement = steps.send(sqlite_fast.query(conn, *statement))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def _drive_postgres(steps: Step) -> ScanResult:
    try:
        sql, args = next(steps)
        while True:
            if sql is coalesce.BATCH_SQL:  # the scan itself: shares a statement with scans arriving meanwhile
                rows = [await coalesce.batcher().submit(args[0])]
            else:
                rows = await db.raw(sql, *args)
            sql, args = steps.send(rows)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def _check(scan: Scan) -> None:
    if not _CLIENT_ID.match(scan.client_id):
        raise ValidationFailed({"client_id": "invalid_client_id"})


# How long an offline scan may take to reach the server (TRAINING_CHECKIN_LATE_UPLOAD_HOURS sets it per process).
LATE_UPLOAD_WINDOW = timedelta(hours=48)


async def redeem(
    scan: Scan, staff: Actor, *, now: datetime | None = None, window: timedelta | None = None
) -> ScanResult:
    """Check a code in for a block: one row per (enrollment, block), idempotent by client id."""
    return (await redeem_batch([scan], staff, now=now, window=window, limit=1))[0]


async def redeem_batch(
    scans: list[Scan],
    staff: Actor,
    *,
    now: datetime | None = None,
    window: timedelta | None = None,
    limit: int = MAX_BATCH,
) -> list[ScanResult]:
    """Offline uploads: each scan keeps its own time and client id; the answers come back in order.

    Scans older than `window` are refused (`too_late`); the late ones accepted are written to the audit log."""
    if len(scans) > limit:
        raise ValidationFailed({"scans": "batch_too_large"}, params={"max": limit})
    for scan in scans:
        _check(scan)
    moment = now or datetime.now(UTC)
    span = window or LATE_UPLOAD_WINDOW
    engine = db.current_engine()
    if db.is_sqlite(engine):

        def work(conn: sqlite3.Connection) -> list[ScanResult]:
            return [_drive_sqlite(conn, _scan_steps(scan, staff, moment, span)) for scan in scans]

        results = await sqlite_fast.run(str(engine.path), work)  # type: ignore[attr-defined]
    else:
        results = [
            await _drive_postgres(_scan_steps(scan, staff, moment, span, one_statement=True))
            for scan in scans
        ]
    await _audit_late(scans, results, staff, moment)
    return results


async def _audit_late(scans: list[Scan], results: list[ScanResult], staff: Actor, now: datetime) -> None:
    """One audit entry per upload that wrote scans made well before it arrived (offline scans): who sent them,
    from which device, for whom and when they say they were made; refused late scans are counted too."""
    late = [
        (scan, result)
        for scan, result in zip(scans, results, strict=True)
        if result.status == Verdict.OK and not result.replayed and result.at and st.is_late(result.at, now)
    ]
    refused = sum(1 for r in results if r.status == Verdict.TOO_LATE)
    if not late and not refused:
        return
    await audit.record(
        staff,
        "late_checkin_upload",
        "check_in",
        scans[0].block_id,
        {
            "accepted": [
                {
                    "client_id": scan.client_id,
                    "enrollment": result.enrollment_id,
                    "block": scan.block_id,
                    "scanned_at": result.at.astimezone(UTC).isoformat() if result.at else None,
                    "device_id": scan.device_id[:64],
                }
                for scan, result in late
            ],
            "refused_too_late": refused,
            "received_at": now.astimezone(UTC).isoformat(),
        },
    )


async def replace_code(enrollment_id: int, staff: Actor | None, reason: str) -> str:
    """A new QR code for an enrollment (a lost phone, a leaked badge): the old code answers `code_revoked` from
    now on, online and on rosters downloaded after this. Returns the new code; audited."""
    async with db.write_transaction():
        rows = await db.raw('SELECT token_nonce FROM "enrollment" WHERE id = {}', enrollment_id)
        if not rows:
            raise NotFound()
        current = generation_of(rows[0]["token_nonce"] or "")
        if current is None or current >= MAX_GENERATION:
            raise Conflict("code_not_replaceable")
        nonce = nonce_of(current + 1)
        await db.raw('UPDATE "enrollment" SET token_nonce = {} WHERE id = {}', nonce, enrollment_id)
        await audit.record(
            staff,
            "replace_qr_code",
            "enrollment",
            enrollment_id,
            {"generation": [current, current + 1], "reason": reason[:500]},
        )
    return make_token(keys.current().qr_token, enrollment_id, current + 1)


# ---------------------------------------------------------------------------------------------------------------
# Reading: blocks to choose from, counts, the offline roster, the organisers' dashboard.


@dataclass
class BlockChoice:
    id: int
    session_id: int
    day: date
    half_day: str
    starts_at: time
    ends_at: time
    topic: str
    cancelled: bool


@dataclass
class SessionChoice:
    id: int
    title: str
    blocks: list[BlockChoice] = field(default_factory=list)


def current_block_id(blocks: list[BlockChoice], now_local: datetime) -> int | None:
    """The block running now (from an hour before it starts), else the next one today, else None. Pure."""
    today = [b for b in blocks if b.day == now_local.date() and not b.cancelled]
    clock = now_local.time()
    for block in sorted(today, key=lambda b: b.starts_at):
        opens = (datetime.combine(block.day, block.starts_at) - timedelta(hours=1)).time()
        if opens <= clock <= block.ends_at or clock < block.starts_at:
            return block.id
    return None


async def scanner_choices(
    now: datetime | None = None, only: frozenset[int] | None = None
) -> tuple[list[SessionChoice], int | None, int | None]:
    """Sessions running around today with their blocks (`only`: of these sessions); the preselected (session,
    block)."""
    now_local = (now or datetime.now(UTC)).astimezone(LOCAL_TZ)
    rows = await db.raw(
        "SELECT s.id AS s_id, s.title AS title, b.id AS b_id, b.day AS day, b.half_day AS half_day, "
        "b.starts_at AS starts_at, b.ends_at AS ends_at, b.topic AS topic, b.cancelled AS cancelled "
        'FROM "training_session" AS s JOIN "block" AS b ON b.session = s.id '
        "WHERE s.starts_on <= {} AND s.ends_on >= {} ORDER BY s.starts_on, s.id, b.day, b.starts_at",
        now_local.date() + timedelta(days=7),
        now_local.date() - timedelta(days=3),
    )
    sessions: dict[int, SessionChoice] = {}
    for row in rows:
        if only is not None and row["s_id"] not in only:
            continue
        session = sessions.setdefault(row["s_id"], SessionChoice(row["s_id"], row["title"]))
        session.blocks.append(
            BlockChoice(
                id=row["b_id"],
                session_id=row["s_id"],
                day=_as_date(row["day"]),
                half_day=row["half_day"],
                starts_at=_as_time(row["starts_at"]),
                ends_at=_as_time(row["ends_at"]),
                topic=row["topic"],
                cancelled=bool(row["cancelled"]),
            )
        )
    for session in sessions.values():
        chosen = current_block_id(session.blocks, now_local)
        if chosen is not None:
            return list(sessions.values()), session.id, chosen
    return list(sessions.values()), None, None


async def session_block(session_id: int, now: datetime | None = None) -> int | None:
    """The block of a session to show first: the one running today, else the latest one begun, else the first."""
    today = (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()
    rows = await db.raw(
        'SELECT "id", "day" FROM "block" WHERE "session" = {} AND NOT "cancelled" ORDER BY "day", "starts_at"',
        session_id,
    )
    if not rows:
        return None
    begun = [r for r in rows if _as_date(r["day"]) <= today]
    return int((begun[-1] if begun else rows[0])["id"])


def _as_time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


class BlockInfo(TypedDict):
    id: int
    session_id: int
    session_title: str
    day: str
    starts_at: str
    ends_at: str
    topic: str
    cancelled: bool


class RosterEntry(TypedDict):
    id: int
    t: str  # digest of the QR token
    m: str  # digest of the manual code
    name: str
    county: str
    school: str
    status: str  # enrollment status
    at: str | None  # checked in at (ISO 8601), or null
    by: str


class Roster(TypedDict):
    block: BlockInfo
    salt: str
    generated_at: str
    entries: list[RosterEntry]


class CountyAttendance(TypedDict):
    county: str
    checked_in: int
    expected: int


class MissingTeacher(TypedDict):
    enrollment_id: int
    name: str
    county: str
    school: str
    phone: str


class Dashboard(TypedDict):
    block: BlockInfo
    checked_in: int
    expected: int
    by_county: list[CountyAttendance]
    missing: list[MissingTeacher]
    generated_at: str
    generated_local: str


async def _block_row(block_id: int) -> dict[str, Any]:
    rows = await db.raw(
        "SELECT b.id, b.session, b.day, b.starts_at, b.ends_at, b.topic, b.half_day, b.cancelled, s.title "
        'FROM "block" AS b JOIN "training_session" AS s ON s.id = b.session WHERE b.id = {}',
        block_id,
    )
    if not rows:
        raise NotFound("block_not_found")
    return rows[0]


def _block_json(row: dict[str, Any]) -> BlockInfo:
    return {
        "id": row["id"],
        "session_id": row["session"],
        "session_title": row["title"],
        "day": _as_date(row["day"]).isoformat(),
        "starts_at": _as_time(row["starts_at"]).strftime("%H:%M"),
        "ends_at": _as_time(row["ends_at"]).strftime("%H:%M"),
        "topic": row["topic"],
        "cancelled": bool(row["cancelled"]),
    }


async def block_counts(block_id: int) -> dict[str, int]:
    """Checked in / expected (confirmed enrollments of the block's session)."""
    rows = await db.raw(
        'SELECT (SELECT COUNT(*) FROM "check_in" WHERE block = b.id) AS checked_in, '
        "(SELECT COUNT(*) FROM \"enrollment\" WHERE session = b.session AND status = 'confirmed') AS expected "
        'FROM "block" AS b WHERE b.id = {}',
        block_id,
    )
    if not rows:
        raise NotFound("block_not_found")
    return {
        "block_id": block_id,
        "checked_in": int(rows[0]["checked_in"]),
        "expected": int(rows[0]["expected"]),
    }


_PEOPLE_SQL = """
SELECT e.id AS e_id, e.status AS status, e.manual_code AS manual_code, e.token_nonce AS nonce, t.name AS name,
       c.id AS county_id,
       c.name AS county, COALESCE(s.name, t.school_name) AS school, t.phone_encrypted AS phone_encrypted,
       ci.scanned_at AS ci_at, ci.staff_name AS ci_by
FROM "enrollment" AS e
JOIN "teacher" AS t ON t.id = e.teacher
JOIN "county" AS c ON c.id = e.county
LEFT JOIN "school" AS s ON s.id = e.school
LEFT JOIN "check_in" AS ci ON ci.enrollment = e.id AND ci.block = {}
WHERE e.session = {}
ORDER BY c.name, t.name, e.id
"""


async def block_roster(block_id: int) -> Roster:
    """What a scanner needs to validate codes offline for this block, and nothing more.

    Codes travel as salted SHA-256 digests (`status.roster_digest`, fresh salt per download): the device can
    recognise a code it scans but a copied roster gives out no working codes; the signing key never leaves."""
    block = await _block_row(block_id)
    salt = secrets.token_urlsafe(12)
    key = keys.current().qr_token
    entries: list[RosterEntry] = []
    for row in await db.raw(_PEOPLE_SQL, block_id, block["session"]):
        generation = generation_of(row["nonce"] or "")
        withdrawn = generation is None  # no code of hers may work offline either
        entries.append(
            {
                "id": row["e_id"],
                "t": st.roster_digest(
                    salt, "" if withdrawn else make_token(key, row["e_id"], generation or 0)
                ),
                "m": st.roster_digest(salt, "" if withdrawn else row["manual_code"]),
                "name": row["name"],
                "county": row["county"],
                "school": row["school"] or "",
                "status": row["status"],
                "at": _as_datetime(row["ci_at"]).isoformat() if row["ci_at"] is not None else None,
                "by": row["ci_by"] or "",
            }
        )
    return {
        "block": _block_json(block),
        "salt": salt,
        "generated_at": datetime.now(UTC).isoformat(),
        "entries": entries,
    }


async def block_dashboard(block_id: int, *, with_phones: bool) -> Dashboard:
    """Checked in / expected, by county, and who is missing (with their phone for organisers)."""
    block = await _block_row(block_id)
    counties: dict[int, CountyAttendance] = {}
    missing: list[MissingTeacher] = []
    checked = expected = 0
    for row in await db.raw(_PEOPLE_SQL, block_id, block["session"]):
        present = row["ci_at"] is not None
        if row["status"] != "confirmed" and not present:
            continue
        county = counties.setdefault(
            row["county_id"], {"county": row["county"], "checked_in": 0, "expected": 0}
        )
        if row["status"] == "confirmed":
            county["expected"] += 1
            expected += 1
        if present:
            county["checked_in"] += 1
            checked += 1
        else:
            missing.append(
                {
                    "enrollment_id": row["e_id"],
                    "name": row["name"],
                    "county": row["county"],
                    "school": row["school"] or "",
                    "phone": reveal_phone(row) if with_phones else "",
                }
            )
    return {
        "block": _block_json(block),
        "checked_in": checked,
        "expected": expected,
        "by_county": sorted(counties.values(), key=lambda c: (-c["expected"], c["county"])),
        "missing": missing,
        "generated_at": datetime.now(UTC).isoformat(),
        "generated_local": datetime.now(UTC).astimezone(LOCAL_TZ).strftime("%H:%M:%S"),
    }


async def record_phone_view(staff: Actor, block_id: int, shown: int) -> None:
    """Organisers see missing teachers' phones on the dashboard: each page view leaves an audit entry (the
    page's 10-second refreshes of the same view do not)."""
    await audit.record(staff, "view_phones", "block", block_id, {"phones_shown": shown})


async def badge_people(
    session_id: int, enrollment_ids: set[int] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Session title and its confirmed teachers (name, county, school, token, manual code) for badges;
    only `enrollment_ids` if given (e.g. the teachers still missing, who may have no phone with their QR)."""
    sessions = await db.raw('SELECT title FROM "training_session" WHERE id = {}', session_id)
    if not sessions:
        raise NotFound()
    key = keys.current().qr_token
    people = [
        {
            "name": row["name"],
            "county": row["county"],
            "school": row["school"] or "",
            "token": make_token(key, row["e_id"], generation_of(row["nonce"] or "") or 0),
            "manual_code": row["manual_code"],
        }
        for row in await db.raw(_PEOPLE_SQL, 0, session_id)
        if row["status"] == "confirmed"
        and generation_of(row["nonce"] or "") is not None  # no badge for a withdrawn code
        and (enrollment_ids is None or row["e_id"] in enrollment_ids)
    ]
    return sessions[0]["title"], people

"""The scan: redeem a code for a block, online or as an offline batch.

A scan gathers every fact (block, enrollment, teacher, existing check-in) and inserts with
`INSERT ... ON CONFLICT DO NOTHING RETURNING id`: on PostgreSQL one statement (a CTE) shared by the scans that
arrive together (`coalesce`), on SQLite two (through the persistent connection of the database layer's SQLite writer thread, `db.on_sqlite_writer`). The
unique indexes on (enrollment, block) and on client_id make the insert the arbiter: under a race exactly one
insert returns a row, the others read the winner (one more statement, only then). The decision itself is
`status.verdict` (pure); the statements are in `training.checkin.sql`.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from training import db, keys
from training.audit import writer as audit
from training.checkin import coalesce, sql
from training.checkin import status as st
from training.checkin.states import CodeKind, Verdict
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.core.tokens import generation_of, nonce_of, read_token_generation
from training.errors import ValidationFailed
from training.i18n import N_, register_messages

log = logging.getLogger("training.checkin")
MAX_BATCH = 500
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

register_messages(
    {
        "invalid_client_id": N_("The scan has no valid client id."),
        "batch_too_large": N_("At most {max} scans per upload."),
    }
)


@dataclass(frozen=True)
class Scan:
    code: str
    block_id: int
    client_id: str
    device_id: str = ""
    scanned_at: datetime | None = None
    confirmed: bool = False  # staff confirmed recording it outside the block's check-in window


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
    window: str = ""  # the block's check-in window ("07:30–12:00") when the scan was made outside it
    outside_window: bool = False  # recorded although outside the window (staff confirmed): audited

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
            "window": self.window,
        }


# ---------------------------------------------------------------------------------------------------------------
# The scan, written once as a sequence of statements; a driver per engine runs it.

Step = Generator[tuple[str, tuple[Any, ...]], list[dict[str, Any]], ScanResult]


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
    local = scanned_at.astimezone(LOCAL_TZ)  # once: a zone conversion costs a few µs
    local_day = local.date()
    local_seconds = local.hour * 3600 + local.minute * 60 + local.second
    if one_statement:
        row = coalesce.ScanRow(
            scan.block_id,
            key if kind is CodeKind.TOKEN else None,
            key if kind is CodeKind.MANUAL else None,
            *insert_args,
            local_day=local_day,
            nonce=nonce,
            in_window=in_window,
            local_seconds=local_seconds,
            confirmed=scan.confirmed,
        )
        rows = yield (sql.BATCH_SQL, (row,))
    else:
        rows = yield (sql.FACTS_BY_ID if kind is CodeKind.TOKEN else sql.FACTS_BY_CODE, (scan.block_id, key))
    facts = rows[0]
    if facts["e_id"] is None and kind is CodeKind.MANUAL:
        return result  # nobody has this code: a typo
    result.enrollment_id = facts["e_id"]
    result.name = facts["t_name"] or ""
    result.county = facts["c_name"] or ""
    result.school = facts["s_name"] or facts["t_school"] or ""
    if facts["ci_client"] is not None and facts["ci_client"] == scan.client_id:
        result.status, result.replayed = Verdict.OK, True
        result.at, result.by = sql.as_datetime(facts["ci_at"]), facts["ci_by"] or ""
        return result
    verdict = _decide(result, facts, scan, nonce, local_day, local_seconds, in_window=in_window)
    if (
        one_statement and verdict != Verdict.OK and facts["inserted"] is not None
    ):  # SQL and Python rules disagree
        log.error("check-in rules drifted: %s inserted a row for client id %s", verdict, scan.client_id)
    if verdict == Verdict.ALREADY_CHECKED_IN:
        result.at, result.by = sql.as_datetime(facts["ci_at"]), facts["ci_by"] or ""
    if verdict != Verdict.OK:
        return result
    if one_statement:
        inserted = facts["inserted"] is not None
    else:
        inserted = bool((yield (sql.INSERT_SQL, (result.enrollment_id, scan.block_id, *insert_args))))
    if inserted:
        result.at, result.by = scanned_at, staff.name
        return result
    # Lost a race (or a concurrent retry): the row that won tells what happened.
    winners = yield (sql.WINNER_SQL, (scan.client_id, result.enrollment_id, scan.block_id))
    return _after_lost_insert(result, scan, winners)


def _decide(
    result: ScanResult,
    facts: dict[str, Any],
    scan: Scan,
    nonce: str | None,
    local_day: date,
    local_seconds: int,
    *,
    in_window: bool,
) -> Verdict:
    """The verdict on the facts (`status.verdict`), with the block's check-in window; sets it on `result`."""
    bounds = _window_bounds(facts)
    in_block_window = bounds is None or st.in_block_window(local_seconds, bounds)
    verdict = st.verdict(
        _block_facts(facts),
        _enrollment_facts(facts, nonce),
        local_day,
        facts["ci_at"] is not None,
        in_window=in_window,
        in_block_window=in_block_window,
        confirmed=scan.confirmed,
    )
    result.status = verdict
    if not in_block_window and bounds is not None:
        result.window = st.window_text(bounds)
        result.outside_window = verdict == Verdict.OK
    return verdict


def _block_facts(facts: dict[str, Any]) -> st.BlockFacts | None:
    if facts["b_id"] is None:
        return None
    return st.BlockFacts(
        int(facts["b_session"]),
        sql.as_date(facts["b_day"]),
        bool(facts["b_cancelled"]),
        sql.as_date(facts["s_starts"]),
        sql.as_date(facts["s_ends"]),
    )


def _window_bounds(facts: dict[str, Any]) -> tuple[int, int] | None:
    if facts["b_id"] is None:
        return None
    return st.window_bounds(
        sql.as_time(facts["b_starts"]),
        sql.as_time(facts["b_ends"]),
        int(facts["b_before"]),
        int(facts["b_after"]),
    )


def _enrollment_facts(facts: dict[str, Any], nonce: str | None) -> st.EnrollmentFacts | None:
    """nonce: the token_nonce the scanned QR code is valid for; None for a manual code (valid unless withdrawn)."""
    if facts["e_id"] is None:
        return None
    generation = generation_of(facts["e_nonce"] or "")
    return st.EnrollmentFacts(
        int(facts["e_session"]),
        facts["e_status"],
        code_valid=generation is not None if nonce is None else generation_of(nonce) == generation,
    )


def _after_lost_insert(result: ScanResult, scan: Scan, winners: list[dict[str, Any]]) -> ScanResult:
    """The answer when this scan's insert wrote nothing: a retry of this very scan (ok, replayed), someone else's
    check-in (already), or a client id reused for another scan (invalid)."""
    mine = [w for w in winners if w["client_id"] == scan.client_id]
    winner = mine[0] if mine else winners[0] if winners else None
    if winner is None or (
        mine and (winner["enrollment"], winner["block"]) != (result.enrollment_id, scan.block_id)
    ):
        result.status = Verdict.INVALID  # a client id reused for another scan: a client bug, not a check-in
        return result
    if mine and winner["voided_at"] is not None:
        result.status = Verdict.VOIDED  # a retry of a scan staff have undone since: it stays undone
        return result
    result.status, result.replayed = (Verdict.OK, True) if mine else (Verdict.ALREADY_CHECKED_IN, False)
    result.at, result.by = sql.as_datetime(winner["scanned_at"]), winner["staff_name"] or ""
    return result


def _drive_sqlite(conn: sqlite3.Connection, steps: Step) -> ScanResult:
    try:
        statement = next(steps)
        while True:
            statement = steps.send(db.sqlite_rows(conn, *statement))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def _drive_postgres(steps: Step) -> ScanResult:
    try:
        statement, args = next(steps)
        while True:
            if (
                statement is sql.BATCH_SQL
            ):  # the scan itself: shares a statement with scans arriving meanwhile
                rows = [await coalesce.batcher().submit(args[0])]
            else:
                rows = await db.fetch(statement, *args)
            statement, args = steps.send(rows)
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

        results = await db.on_sqlite_writer(work)
    else:
        results = [
            await _drive_postgres(_scan_steps(scan, staff, moment, span, one_statement=True))
            for scan in scans
        ]
    await _audit_late(scans, results, staff, moment)
    await _audit_outside_window(scans, results, staff)
    return results


async def _audit_outside_window(scans: list[Scan], results: list[ScanResult], staff: Actor) -> None:
    """One audit entry per scan recorded outside its block's check-in window: staff confirmed it."""
    for scan, result in zip(scans, results, strict=True):
        if result.status != Verdict.OK or result.replayed or not result.outside_window:
            continue
        await audit.record(
            staff,
            "checkin_outside_window",
            "block",
            scan.block_id,
            {
                "note": f"outside window, confirmed by {staff.name}",
                "confirmed_by": staff.name,
                "enrollment": result.enrollment_id,
                "client_id": scan.client_id,
                "scanned_at": result.at.astimezone(UTC).isoformat() if result.at else None,
                "window": result.window,
                "device_id": scan.device_id[:64],
            },
        )


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

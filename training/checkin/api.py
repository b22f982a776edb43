"""Check-in JSON API under /api/v1/checkin: scans (one, or an offline batch), a block's roster, counts and
live dashboard; and the bare /api/v1/ping the load benchmark measures against."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import FromPath, JSONBody

from training.checkin import assignments, attendance, rosters, scans
from training.checkin.scans import Scan, ScanResult
from training.checkin.status import STATUSES
from training.core.actor import Actor
from training.core.clock import LOCAL_TZ
from training.errors import Forbidden
from training.i18n import N_, register_messages
from training.web.guards import checkin_staff, current_principal, hot_post, organiser_only
from training.web.openapi import choice

register_messages({"not_assigned": N_("You are not assigned to this session: ask an organiser.")})


def _window(request: Request[Any, Any, Any]) -> timedelta:
    return timedelta(hours=request.app.state["settings"].checkin_late_upload_hours)


def staff_of(request: Request[Any, Any, Any]) -> Actor:
    return current_principal(request)


async def _require_block(request: Request[Any, Any, Any], block_id: int) -> None:
    """A staff account assigned to sessions scans only their blocks."""
    if not await assignments.may_scan_block(current_principal(request), block_id):
        raise Forbidden("not_assigned")


# msgspec Structs rather than dataclasses for the scan endpoints: Litestar decodes and encodes them natively,
# ~20 µs less per scan than converting dataclasses (bench/checkin_load.py); the OpenAPI schema is the same.
class RedeemRequest(msgspec.Struct):
    code: str
    block_id: int
    client_id: str
    device_id: str = ""
    scanned_at: datetime | None = None
    confirm_outside_window: bool = False

    def scan(self, device_id: str = "") -> Scan:
        return Scan(
            code=self.code[:128],
            block_id=self.block_id,
            client_id=self.client_id,
            device_id=self.device_id or device_id,
            scanned_at=self.scanned_at,
            confirmed=self.confirm_outside_window,
        )


class BatchRequest(msgspec.Struct):
    scans: list[RedeemRequest]
    device_id: str = ""


class ScanAnswer(msgspec.Struct):
    status: Annotated[str, choice(STATUSES)]
    client_id: str
    enrollment_id: int | None
    name: str
    county: str
    school: str
    at: str | None
    at_local: str
    by: str
    replayed: bool
    window: str = ""  # outside_window (or recorded outside it): the block's check-in window, "07:30–12:00"

    @classmethod
    def of(cls, result: ScanResult) -> ScanAnswer:
        """What `ScanResult.to_json` says, built directly (no dict and keyword unpacking on the hot path)."""
        at = result.at
        return cls(
            result.status,
            result.client_id,
            result.enrollment_id,
            result.name,
            result.county,
            result.school,
            at.astimezone(UTC).isoformat() if at else None,
            at.astimezone(LOCAL_TZ).strftime("%H:%M") if at else "",
            result.by,
            result.replayed,
            result.window,
        )


class BatchAnswer(msgspec.Struct):
    results: list[ScanAnswer] = msgspec.field(default_factory=list)


@get(
    "/api/v1/ping", name="ping", tags=["system"], summary="Bare endpoint (no database): the benchmark ceiling"
)
async def ping() -> dict[str, bool]:
    return {"pong": True}


@hot_post(
    "/api/v1/checkin/redeem",
    name="checkin_redeem",
    guards=[checkin_staff],
    tags=["check-in"],
    summary="Check a code in for a block",
    description=(
        "`code` is a QR token (TC…, 22 characters) or an 8-character manual code (case, spaces and dashes "
        "ignored). Statuses: ok, already_checked_in (with `at` and `by`), invalid, not_enrolled, wrong_session, "
        "cancelled, waitlisted, unapproved, rejected, wrong_block, code_revoked (a replaced or withdrawn QR "
        "code), too_late (`scanned_at` older than the late-upload window), outside_window (made outside the "
        "block's check-in window, `window` says which: nothing recorded; send it again with "
        "`confirm_outside_window: true` once staff confirm, and it is recorded and audited), voided (a retry of "
        "a scan staff have undone). Idempotent by `client_id`: a retry returns the original answer with "
        "`replayed: true`. `scanned_at` (ISO 8601 with offset) is kept for offline scans and judged against the "
        "block's window."
    ),
    status_code=200,
)
async def redeem(request: Request[Any, Any, Any], data: JSONBody[RedeemRequest]) -> ScanAnswer:
    await _require_block(request, data.block_id)
    return ScanAnswer.of(await scans.redeem(data.scan(), staff_of(request), window=_window(request)))


@hot_post(
    "/api/v1/checkin/batch",
    name="checkin_batch",
    guards=[checkin_staff],
    tags=["check-in"],
    summary="Upload scans made offline",
    description=(
        "Each scan keeps its own `scanned_at` and `client_id`; the answers come back in the same order. "
        "Re-sending a batch is safe. A scan of someone checked in meanwhile on another device answers "
        "already_checked_in with who and when (a conflict, reported per item). Scans made longer ago than the "
        "late-upload window (TRAINING_CHECKIN_LATE_UPLOAD_HOURS) answer too_late and are not recorded; the late "
        "scans accepted are written to the audit log."
    ),
    status_code=200,
)
async def redeem_batch(request: Request[Any, Any, Any], data: JSONBody[BatchRequest]) -> BatchAnswer:
    for block_id in {s.block_id for s in data.scans}:
        await _require_block(request, block_id)
    results = await scans.redeem_batch(
        [s.scan(data.device_id) for s in data.scans], staff_of(request), window=_window(request)
    )
    return BatchAnswer(results=[ScanAnswer.of(r) for r in results])


@get(
    "/api/v1/checkin/blocks/{block_id:int}/roster",
    name="checkin_roster",
    guards=[checkin_staff],
    tags=["check-in"],
    summary="Offline roster of a block",
    description=(
        "Everyone enrolled in the block's session with status and check-in; codes only as salted SHA-256 "
        "digests: `base64url(SHA-256(salt + '|' + code))[:22]` for the QR token (`t`) and the manual code (`m`)."
    ),
)
async def roster(request: Request[Any, Any, Any], block_id: FromPath[int]) -> rosters.Roster:
    await _require_block(request, block_id)
    return await rosters.block_roster(block_id)


@get(
    "/api/v1/checkin/blocks/{block_id:int}/counts",
    name="checkin_counts",
    guards=[checkin_staff],
    tags=["check-in"],
    summary="Checked in / expected for a block",
)
async def counts(request: Request[Any, Any, Any], block_id: FromPath[int]) -> attendance.BlockCounts:
    await _require_block(request, block_id)
    return await attendance.block_counts(block_id)


@get(
    "/api/v1/checkin/blocks/{block_id:int}/dashboard",
    name="checkin_dashboard_data",
    guards=[organiser_only],
    tags=["check-in"],
    summary="Live attendance of a block: by county, and who is missing with their phone (organisers)",
)
async def dashboard_data(block_id: FromPath[int]) -> attendance.Dashboard:
    return await attendance.block_dashboard(block_id, with_phones=True)


api_handlers = [ping, redeem, redeem_batch, roster, counts, dashboard_data]

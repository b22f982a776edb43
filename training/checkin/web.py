"""Check-in web: the scanner page, its service worker, the organisers' dashboard, badges, and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from training.accounts.states import Role
from training.checkin import assignments, badges, service
from training.checkin.states import Verdict
from training.checkin.status import STATUSES
from training.core.actor import Actor
from training.errors import Forbidden
from training.i18n import N_, gettext, register_messages
from training.web.guards import checkin_staff, current_principal, hot_post, organiser_only
from training.web.nav import NavItem
from training.web.openapi import choice
from training.web.urls import path_for

STATIC_JS = Path(__file__).resolve().parent.parent / "static" / "js"

# What the scanner shows for each status (translated into the page's language, handed to the JavaScript).
STATUS_TEXT: dict[str, str] = {
    Verdict.OK: N_("Checked in"),
    Verdict.ALREADY_CHECKED_IN: N_("Already checked in"),
    Verdict.INVALID: N_("Invalid code"),
    Verdict.NOT_ENROLLED: N_("Not enrolled in this session"),
    Verdict.WRONG_SESSION: N_("Enrolled in another session"),
    Verdict.CANCELLED: N_("Enrollment cancelled"),
    Verdict.WAITLISTED: N_("On the waiting list"),
    Verdict.UNAPPROVED: N_("Enrollment not yet approved"),
    Verdict.REJECTED: N_("Not selected"),
    Verdict.WRONG_BLOCK: N_("Wrong block (cancelled, or another day)"),
    Verdict.CODE_REVOKED: N_("This code was replaced or withdrawn: use the newest code"),
    Verdict.TOO_LATE: N_("Scanned too long ago: not recorded (ask an organiser)"),
}
UI_TEXT = {
    "already_detail": N_("at {time} by {by}"),
    "pending_sync": N_("pending sync"),
    "synced": N_("synced"),
    "offline": N_("Offline: scans are kept on this phone"),
    "online": N_("Online"),
    "count": N_("{checked} / {expected} checked in this block"),
    "roster_loaded": N_("List of {n} teachers loaded at {time}"),
    "roster_failed": N_("Could not download the list for this block"),
    "choose_block": N_("Choose a block first"),
    "conflict": N_("Conflict: already checked in on another device"),
    "camera_unsupported": N_(
        "This browser cannot scan with the camera: use a handheld scanner or type the code."
    ),
    "camera_failed": N_("The camera could not be started."),
    "waiting": N_("Ready to scan"),
    "login_expired": N_("Your log-in has expired: scans are kept on this phone until you log in again."),
}


register_messages({"not_assigned": N_("You are not assigned to this session: ask an organiser.")})


def _window(request: Request[Any, Any, Any]) -> timedelta:
    return timedelta(hours=request.app.state["settings"].checkin_late_upload_hours)


def _staff(request: Request[Any, Any, Any]) -> Actor:
    return current_principal(request)


async def _require_block(request: Request[Any, Any, Any], block_id: int) -> None:
    """A staff account assigned to sessions scans only their blocks."""
    if not await assignments.may_scan_block(current_principal(request), block_id):
        raise Forbidden("not_assigned")


# ---------------------------------------------------------------------------------------------------------------
# Pages


@get("/checkin/scan", name="checkin_scan", guards=[checkin_staff], include_in_schema=False)
async def scanner_page(request: Request[Any, Any, Any]) -> Template:
    allowed = await assignments.visible_sessions(current_principal(request))
    sessions, session_id, block_id = await service.scanner_choices(only=allowed)
    messages = {key: gettext(text) for key, text in {**STATUS_TEXT, **UI_TEXT}.items()}
    return Template(
        template_name="checkin/scan.html",
        context={
            "sessions": sessions,
            "selected_session": session_id,
            "selected_block": block_id,
            "messages": messages,
            "me": current_principal(request).display_name,
        },
    )


@get("/checkin", name="checkin_home", guards=[checkin_staff], include_in_schema=False)
async def checkin_home() -> Redirect:
    """The scanner is the on-site staff's page; /checkin (bookmarks, typed by hand) leads there."""
    return Redirect(path=path_for("checkin_scan"))


@get("/checkin/sw.js", name="checkin_service_worker", include_in_schema=False)
async def service_worker() -> Response[bytes]:
    """Served under /checkin/ so its scope covers the scanner page; never cached, so updates arrive."""
    return Response(
        (STATIC_JS / "checkin-sw.js").read_bytes(),
        media_type="application/javascript",
        headers={"Service-Worker-Allowed": "/checkin/", "Cache-Control": "no-cache"},
    )


@get("/checkin/dashboard", name="checkin_dashboard", guards=[organiser_only], include_in_schema=False)
async def dashboard_page(
    request: Request[Any, Any, Any],
    block: FromQuery[int | None] = None,
    session: FromQuery[int | None] = None,
) -> Template:
    sessions, session_id, current = await service.scanner_choices()
    chosen = block or (await service.session_block(session) if session else None) or current
    data = await service.block_dashboard(chosen, with_phones=True) if chosen else None
    if data is not None:
        await service.record_phone_view(_staff(request), data["block"]["id"], len(data["missing"]))
    return Template(
        template_name="checkin/dashboard.html",
        context={
            "sessions": sessions,
            "selected_block": chosen,
            "selected_session": session_id,
            "data": data,
        },
    )


@get(
    "/checkin/sessions/{session_id:int}/badges.pdf",
    name="checkin_badges",
    guards=[organiser_only],
    include_in_schema=False,
)
async def badges_pdf(
    session_id: FromPath[int], ids: FromQuery[str | None] = None
) -> Response[bytes] | Template:
    """All confirmed teachers of the session, or only the enrollments listed in `ids` (comma-separated). An empty
    `ids` (nobody is missing) prints nothing and says so, instead of printing everyone."""
    chosen = {int(part) for part in ids.split(",") if part.strip().isdigit()} if ids is not None else None
    title, people = await service.badge_people(session_id, chosen)
    if not people:
        return Template(
            template_name="checkin/no_badges.html",
            context={"title": title, "session_id": session_id, "filtered": chosen is not None},
        )
    pdf = badges.badge_sheets_pdf(title, people)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="badges-{session_id}.pdf"'},
    )


# ---------------------------------------------------------------------------------------------------------------
# JSON API


# msgspec Structs rather than dataclasses for the scan endpoints: Litestar decodes and encodes them natively,
# ~20 µs less per scan than converting dataclasses (bench/checkin_load.py); the OpenAPI schema is the same.
class RedeemRequest(msgspec.Struct):
    code: str
    block_id: int
    client_id: str
    device_id: str = ""
    scanned_at: datetime | None = None

    def scan(self, device_id: str = "") -> Scan:
        return Scan(
            code=self.code[:128],
            block_id=self.block_id,
            client_id=self.client_id,
            device_id=self.device_id or device_id,
            scanned_at=self.scanned_at,
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

    @classmethod
    def of(cls, result: ScanResult) -> ScanAnswer:
        return cls(**result.to_json())


class BatchAnswer(msgspec.Struct):
    results: list[ScanAnswer] = msgspec.field(default_factory=list)


@dataclass
class Counts:
    block_id: int
    checked_in: int
    expected: int


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
        "code), too_late (`scanned_at` older than the late-upload window). Idempotent by `client_id`: a retry "
        "returns the original answer with `replayed: true`. `scanned_at` (ISO 8601 with offset) is kept for "
        "offline scans."
    ),
    status_code=200,
)
async def redeem(request: Request[Any, Any, Any], data: JSONBody[RedeemRequest]) -> ScanAnswer:
    await _require_block(request, data.block_id)
    return ScanAnswer.of(await service.redeem(data.scan(), _staff(request), window=_window(request)))


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
    results = await service.redeem_batch(
        [s.scan(data.device_id) for s in data.scans], _staff(request), window=_window(request)
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
async def roster(request: Request[Any, Any, Any], block_id: FromPath[int]) -> service.Roster:
    await _require_block(request, block_id)
    return await service.block_roster(block_id)


@get(
    "/api/v1/checkin/blocks/{block_id:int}/counts",
    name="checkin_counts",
    guards=[checkin_staff],
    tags=["check-in"],
    summary="Checked in / expected for a block",
)
async def counts(request: Request[Any, Any, Any], block_id: FromPath[int]) -> Counts:
    await _require_block(request, block_id)
    return Counts(**await service.block_counts(block_id))


@get(
    "/api/v1/checkin/blocks/{block_id:int}/dashboard",
    name="checkin_dashboard_data",
    guards=[organiser_only],
    tags=["check-in"],
    summary="Live attendance of a block: by county, and who is missing with their phone (organisers)",
)
async def dashboard_data(block_id: FromPath[int]) -> service.Dashboard:
    return await service.block_dashboard(block_id, with_phones=True)


route_handlers = [
    checkin_home,
    scanner_page,
    service_worker,
    dashboard_page,
    badges_pdf,
    ping,
    redeem,
    redeem_batch,
    roster,
    counts,
    dashboard_data,
]
nav_items = [
    NavItem(N_("Check-in"), "checkin_scan", (Role.ORGANISER, Role.STAFF), 40),
    NavItem(N_("Attendance"), "checkin_dashboard", (Role.ORGANISER,), 41),
]

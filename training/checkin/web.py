"""Check-in pages: the scanner page, its service worker, the organisers' dashboard, badges (the JSON API: api.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from training.checkin import assignments, attendance, badges, choices, rosters
from training.checkin.api import api_handlers, staff_of
from training.checkin.states import Verdict
from training.core.actor import Role
from training.i18n import N_, gettext
from training.web.guards import checkin_staff, current_principal, organiser_only
from training.web.nav import NavItem
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
    Verdict.OUTSIDE_WINDOW: N_("Outside the check-in window"),
    Verdict.VOIDED: N_("This scan was undone by staff"),
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
    "outside_detail": N_("Check-in for this block is open {window}. Record this scan anyway?"),
    "window_detail": N_("Check-in open {window}"),
}


# ---------------------------------------------------------------------------------------------------------------
# Pages


@get("/checkin/scan", name="checkin_scan", guards=[checkin_staff], include_in_schema=False)
async def scanner_page(request: Request[Any, Any, Any]) -> Template:
    allowed = await assignments.visible_sessions(current_principal(request))
    sessions, session_id, block_id = await choices.scanner_choices(only=allowed)
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
    sessions, session_id, current = await choices.scanner_choices()
    chosen = block or (await choices.session_block(session) if session else None) or current
    data = await attendance.block_dashboard(chosen, with_phones=True) if chosen else None
    if data is not None:
        await attendance.record_phone_view(staff_of(request), data.block.id, len(data.missing))
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
    title, people = await rosters.badge_people(session_id, chosen)
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


route_handlers = [checkin_home, scanner_page, service_worker, dashboard_page, badges_pdf, *api_handlers]
nav_items = [
    NavItem(N_("Check-in"), "checkin_scan", (Role.ORGANISER, Role.STAFF, Role.HOST), 40),
    NavItem(N_("Attendance"), "checkin_dashboard", (Role.ORGANISER,), 41),
]

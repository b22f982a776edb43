"""JSON endpoints of certificates: the public verification API and the organiser pages' progress polls."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import Response

from training import ratelimit
from training.certificates import batch, candidates, printing, verifying
from training.certificates.printing import StoredFile
from training.certificates.states import VerificationStatus
from training.config import Settings
from training.programmes.sessions import get_session
from training.web.context import client_ip
from training.web.guards import organiser_only

VERIFY_LIMIT = 30  # look-ups per IP per minute: plenty for people checking a certificate or two
VERIFY_WINDOW_S = 60
# ... and per IP per day: serials are sequential, so one address must not walk a year's certificates (at 30 a
# minute the whole demo took 38 minutes); a person or an employer checking certificates stays far below this.
VERIFY_DAILY_LIMIT = 200
VERIFY_DAY_S = 86_400


async def throttle_verification(ip: str, *, now: float | None = None) -> None:
    """RateLimited past 30 look-ups a minute or 200 a day from one address (page and API together)."""
    await ratelimit.hit("verify", ip, VERIFY_LIMIT, VERIFY_WINDOW_S, now=now)
    await ratelimit.hit("verify_day", ip, VERIFY_DAILY_LIMIT, VERIFY_DAY_S, now=now)


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]  # type: ignore[no-any-return]


class BatchProgress(msgspec.Struct):
    eligible: int
    issued: int
    rendered: int
    running: bool
    stage: str
    done: int
    total: int
    error: str
    summary: str


class PrintProgress(msgspec.Struct):
    running: bool
    stage: str
    done: int
    total: int
    error: str
    seconds: float | None
    files: dict[str, StoredFile]


@get(
    "/api/v1/certificates/sessions/{session_id:int}/progress",
    name="certificates_progress",
    guards=[organiser_only],
    tags=["certificates"],
    summary="Progress of a session's certificate batch",
)
async def progress_api(session_id: FromPath[int]) -> BatchProgress:
    state = await candidates.session_eligibility(session_id)
    run = batch.run_state(session_id)
    issued = [c for c in state.candidates if c.certificate is not None]
    return BatchProgress(
        eligible=len(state.eligible),
        issued=len(issued),
        rendered=sum(1 for c in issued if c.certificate and c.certificate.rendered),
        running=bool(run and not run.finished),
        stage=run.stage if run else "",
        done=run.done if run else 0,
        total=run.total if run else 0,
        error=run.error if run else "",
        summary=run.summary if run else "",
    )


@get(
    "/api/v1/certificates/sessions/{session_id:int}/print/progress",
    name="certificates_print_progress",
    guards=[organiser_only],
    tags=["certificates"],
    summary="Progress of a session's print run (one PDF and a zip of its certificates)",
)
async def print_progress(request: Request[Any, Any, Any], session_id: FromPath[int]) -> PrintProgress:
    await get_session(session_id)  # 404 for an unknown session
    run = printing.run_state(session_id)
    return PrintProgress(
        running=bool(run and not run.finished),
        stage=run.stage if run else "",
        done=run.done if run else 0,
        total=run.total if run else 0,
        error=run.error if run else "",
        seconds=round(run.seconds, 1) if run and run.finished else None,
        files=printing.stored_files(_settings(request), session_id),
    )


@get(
    "/api/v1/verify/{serial:str}",
    name="verify_api",
    tags=["certificates"],
    summary="Verify a certificate: valid / revoked / unknown, with the masked name, session and hours",
    # "unknown" is answered 404 with the same verification body, not the generic error body.
    responses={
        404: ResponseSpec(data_container=dict[str, Any], description="No certificate has this serial")
    },
)
async def verify_api(request: Request[Any, Any, Any], serial: FromPath[str]) -> Response[dict[str, Any]]:
    await throttle_verification(client_ip(request))
    result = await verifying.verify(serial)
    return Response(result.to_json(), status_code=404 if result.status is VerificationStatus.UNKNOWN else 200)


route_handlers: list[Any] = [progress_api, print_progress, verify_api]

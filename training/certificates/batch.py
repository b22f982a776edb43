"""Batch issue for a session: claim serials (database, this process), render (all cores), record and mail.

Resumable by construction: every step looks at the database, not at memory. Claimed-but-unrendered certificates
have `file_path = ''` and are rendered by the next run; rendered ones are recorded (and mailed) exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from training.certificates import candidates, issuing, jobs, records, revoking
from training.certificates.fonts import check_font
from training.certificates.records import CertificateRecord
from training.certificates.render import RenderJob, RenderResult, render_jobs
from training.certificates.states import BatchStage
from training.config import Settings
from training.errors import ValidationFailed

log = logging.getLogger("training.certificates")

# stage, done, total
Progress = Callable[[BatchStage, int, int], None]

CLAIM_CHUNK = 50  # certificates claimed per transaction
RENDER_CHUNK = 8  # certificates per worker task (amortises process round trips; keeps progress smooth)


# errnos that mean "the certificate folder cannot take files", as opposed to a bug: disk or quota full, read-only.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
STORAGE_ERROR = "storage_unwritable"  # RunState.error code, shown on the organiser page in words


class StorageError(Exception):
    """The certificate folder cannot be written. What was rendered before is recorded; the rest stays claimed
    with `file_path = ''` (no file, no mail), so a rerun after space returns finishes it."""

    def __init__(self, directory: str, reason: str) -> None:
        super().__init__(f"cannot write certificate files to {directory}: {reason}")
        self.directory = directory
        self.reason = reason


@contextlib.contextmanager
def _explain_storage_errors(settings: Settings) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno not in STORAGE_ERRNOS:
            raise
        raise StorageError(str(settings.data_dir / "certificates"), exc.strerror or str(exc)) from exc


@dataclass
class BatchReport:
    eligible: int = 0
    claimed: int = 0
    rendered: int = 0
    recorded: int = 0
    pdf_bytes: int = 0
    seconds: float = 0.0
    missing_glyphs: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        per = self.pdf_bytes // self.rendered if self.rendered else 0
        rate = self.rendered / self.seconds if self.seconds else 0.0
        return (
            f"{self.eligible} eligible · {self.claimed} newly issued · {self.rendered} rendered "
            f"({rate:.1f}/s, {per / 1024:.0f} KB per PDF) · {self.recorded} recorded and mailed"
        )


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _worker_start() -> None:
    # Rendering is background work: when it shares cores with a web server, requests go first.
    with contextlib.suppress(OSError):
        os.nice(5)


def make_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent runs an event loop and database threads that must not be copied mid-flight.
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
    )


async def render_pending(
    session_id: int,
    settings: Settings,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    pool: Executor | None = None,
    report: BatchReport | None = None,
) -> BatchReport:
    """Render every claimed-but-unrecorded certificate of the session, then record and mail each chunk.
    Raises StorageError (one clear sentence) when the disk is full or the folder is read-only."""
    with _explain_storage_errors(settings):
        report = report or BatchReport()
        pending = await issuing.pending_renders(session_id)
        if not pending:
            return report
        _, programme = await candidates.session_and_programme(session_id)
        artwork = jobs.artwork_for(programme, settings)
        pairs = [(cert, jobs.render_job_for(cert, artwork, settings)) for cert in pending]
        chunks = [pairs[i : i + RENDER_CHUNK] for i in range(0, len(pairs), RENDER_CHUNK)]
        total = len(pairs)
        done = 0
        loop = asyncio.get_running_loop()

        async def finish(
            chunk: list[tuple[CertificateRecord, RenderJob]], results: list[RenderResult]
        ) -> None:
            nonlocal done
            report.rendered += len(results)
            report.pdf_bytes += sum(r.pdf_bytes for r in results)
            report.recorded += await issuing.record_rendered([cert for cert, _ in chunk], settings)
            done += len(chunk)
            if progress:
                progress(BatchStage.RENDER, done, total)

        if workers <= 1 and pool is None:
            for chunk in chunks:
                results = await asyncio.to_thread(render_jobs, [job for _, job in chunk])
                await finish(chunk, results)
            return report

        own_pool = pool is None
        executor = pool or make_pool(workers)
        try:

            async def render(
                chunk: list[tuple[CertificateRecord, RenderJob]],
            ) -> tuple[list[tuple[CertificateRecord, RenderJob]], list[RenderResult]]:
                return chunk, await loop.run_in_executor(executor, render_jobs, [job for _, job in chunk])

            for next_done in asyncio.as_completed([render(chunk) for chunk in chunks]):
                chunk, results = await next_done
                await finish(chunk, results)
        finally:
            if own_pool:
                executor.shutdown(wait=True, cancel_futures=True)
        return report


async def issue_session(
    session_id: int,
    settings: Settings,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    claim_chunk: int = CLAIM_CHUNK,
    pool: Executor | None = None,
    early_reason: str = "",
    actor: Any = None,
    now: datetime | None = None,
) -> BatchReport:
    """Issue every certificate the session owes, render and mail them. Safe to rerun and to run twice at once.

    Before the session's last block has ended nothing is claimed (ValidationFailed) unless `early_reason`
    records an organiser's exception (audited); certificates claimed earlier are still rendered and recorded.
    """
    check_font()  # fail before claiming anything if the Chinese face is wrong
    try:
        await issuing.authorise_issue(session_id, early_reason, actor, now)
    except ValidationFailed:
        if not await issuing.pending_renders(session_id):
            raise
        # an interrupted run may finish what it had claimed; nothing new is claimed before the end
        return await render_pending(session_id, settings, workers=workers or default_workers(), pool=pool)
    started = time.perf_counter()
    report = BatchReport()
    state = await candidates.session_eligibility(session_id)
    eligible = state.eligible
    report.eligible = len(eligible)
    report.missing_glyphs = {c.teacher_name: c.missing_glyphs for c in eligible if c.missing_glyphs}
    todo = [c for c in eligible if c.certificate is None]
    for start in range(0, len(todo), claim_chunk):
        rows = await issuing.claim_certificates(state.session, todo[start : start + claim_chunk])
        report.claimed += len(rows)
        if progress:
            progress(BatchStage.CLAIM, min(start + claim_chunk, len(todo)), len(todo))
    await render_pending(
        session_id,
        settings,
        workers=workers or default_workers(),
        progress=progress,
        pool=pool,
        report=report,
    )
    report.seconds = time.perf_counter() - started
    log.info("certificates for session %s: %s", session_id, report.summary())
    return report


async def reissue_and_render(serial: str, reason: str, actor: Any, settings: Settings) -> CertificateRecord:
    cert = await revoking.reissue(serial, reason, actor)
    await render_pending(cert.session, settings, workers=1)
    return await records.certificate_by_serial(serial)


# ---------------------------------------------------------------------------------------------------------------
# Background runs started from the organiser page (one per session per process; progress is polled).


@dataclass
class RunState:
    stage: BatchStage = BatchStage.STARTING
    done: int = 0
    total: int = 0
    finished: bool = False
    error: str = ""
    summary: str = ""
    claimed: int = 0
    recorded: int = 0
    started_at: float = field(default_factory=time.time)


_runs: dict[int, RunState] = {}
_tasks: set[asyncio.Task[Any]] = set()


def run_state(session_id: int) -> RunState | None:
    return _runs.get(session_id)


def start_background_issue(
    session_id: int,
    settings: Settings,
    workers: int | None = None,
    early_reason: str = "",
    actor: Any = None,
) -> RunState:
    """Start issuing in this process unless a run for the session is already going; returns its state."""
    current = _runs.get(session_id)
    if current is not None and not current.finished:
        return current
    state = _runs[session_id] = RunState()

    def progress(stage: BatchStage, done: int, total: int) -> None:
        state.stage, state.done, state.total = stage, done, total

    async def run() -> None:
        try:
            report = await issue_session(
                session_id,
                settings,
                workers=workers,
                progress=progress,
                early_reason=early_reason,
                actor=actor,
            )
            state.summary = report.summary()
            state.claimed, state.recorded = report.claimed, report.recorded
        except (
            StorageError
        ) as exc:  # an operator's problem, not a bug: one line in the log, words on the page
            log.error("certificate batch for session %s stopped: %s", session_id, exc)
            state.error = STORAGE_ERROR
        except Exception as exc:  # shown on the page; the next run resumes where this one stopped
            log.exception("certificate batch for session %s failed", session_id)
            state.error = type(exc).__name__
        finally:
            state.finished = True

    task = asyncio.create_task(run(), name=f"certificates-{session_id}")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return state

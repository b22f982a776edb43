"""Print runs: all of a session's valid certificates as one print-ready PDF and as a zip of single PDFs,
ordered by county and name, for the closing ceremony.

A run re-draws each certificate from its snapshot on all cores (the same pages as the single PDFs, text layer
included) and streams them into one file, so a 300-page run never sits in memory. It runs in the background of
the server process with progress the page polls, like the issue batch; the finished files stay on disk under
`certificates/{session}/print/` (replaced by the next run), so a restart loses only a run in progress.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.certificates import batch, candidates
from training.certificates.fonts import advance
from training.certificates.jobs import artwork_for, file_of, render_job_for
from training.certificates.records import CertificateRecord
from training.certificates.render import render_job, render_pages
from training.certificates.states import PrintStage
from training.certificates.tables import Certificate
from training.config import Settings
from training.pdfwrite import PdfWriter

log = logging.getLogger("training.certificates")

PDF_NAME = "print-run.pdf"
ZIP_NAME = "print-run.zip"
PAGES_PER_TASK = 8


def print_folder(settings: Settings, session_id: int) -> Path:
    return settings.data_dir / "certificates" / str(session_id) / "print"


async def printable(session_id: int) -> list[CertificateRecord]:
    """The session's valid certificates in print order: county, then name, then serial."""
    rows = await Certificate.select().where(
        (Certificate.session == session_id) & Certificate.revoked_at.is_null()
    )
    return sorted(
        (CertificateRecord.from_row(row) for row in rows),
        key=lambda c: (c.county_name, c.teacher_name, c.seq),
    )


def _safe(text: str) -> str:
    return "".join(ch for ch in text if ch not in '/\\:*?"<>|\0').strip() or "-"


def zip_entry_name(position: int, cert: CertificateRecord) -> str:
    return f"{position:03d}-{_safe(cert.county_name)}-{_safe(cert.teacher_name)}-{cert.serial}.pdf"


def _discard(path: str) -> None:
    Path(path).unlink(missing_ok=True)


@dataclass
class PrintRun:
    stage: PrintStage = PrintStage.STARTING
    done: int = 0
    total: int = 0
    finished: bool = False
    error: str = ""
    started_at: float = field(default_factory=time.time)
    seconds: float = 0.0


Progress = Callable[[PrintStage, int, int], None]


async def build(
    session_id: int, settings: Settings, *, workers: int = 1, progress: Progress | None = None
) -> tuple[Path, Path, int]:
    """Write the print-run PDF and zip; returns their paths and the number of certificates."""
    certs = await printable(session_id)
    _, programme = await candidates.session_and_programme(session_id)
    artwork = artwork_for(programme, settings)
    jobs = [render_job_for(cert, artwork, settings) for cert in certs]
    folder = print_folder(settings, session_id)
    folder.mkdir(parents=True, exist_ok=True)
    total = len(jobs)
    loop = asyncio.get_running_loop()

    # 1. One PDF, pages in print order (chunks rendered in parallel, written in order as they arrive).
    fd, tmp_pdf = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as handle:
            writer = PdfWriter(handle, advance, title=f"结业证书 {certs[0].session_title if certs else ''}")
            chunks = [jobs[i : i + PAGES_PER_TASK] for i in range(0, total, PAGES_PER_TASK)]
            pool = batch.make_pool(workers) if workers > 1 and len(chunks) > 1 else None
            try:
                # all chunks queued at once; pages are written in order as their chunk comes back
                futures = (
                    [loop.run_in_executor(pool, render_pages, chunk) for chunk in chunks] if pool else []
                )
                done = 0
                for index, chunk in enumerate(chunks):
                    pages = await (futures[index] if pool else asyncio.to_thread(render_pages, chunk))
                    for image, runs in pages:
                        writer.add_page(image, runs)
                    done += len(chunk)
                    if progress:
                        progress(PrintStage.PAGES, done, total)
            finally:
                if pool:
                    pool.shutdown(wait=True, cancel_futures=True)
            writer.close()
        os.replace(tmp_pdf, folder / PDF_NAME)
    except BaseException:
        _discard(tmp_pdf)
        raise

    # 2. The single PDFs as stored (rendered now where a file is missing), stored uncompressed: JPEG inside.
    fd, tmp_zip = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_STORED) as archive:
            for position, (cert, job) in enumerate(zip(certs, jobs, strict=True), start=1):
                path = file_of(cert, settings)
                if not path.exists():
                    await asyncio.to_thread(render_job, job)
                archive.write(path, zip_entry_name(position, cert))
                if progress:
                    progress(PrintStage.ZIP, position, total)
        os.replace(tmp_zip, folder / ZIP_NAME)
    except BaseException:
        _discard(tmp_zip)
        raise
    return folder / PDF_NAME, folder / ZIP_NAME, total


_runs: dict[int, PrintRun] = {}
_tasks: set[asyncio.Task[Any]] = set()


def run_state(session_id: int) -> PrintRun | None:
    return _runs.get(session_id)


def start(session_id: int, settings: Settings, workers: int | None = None) -> PrintRun:
    """Start a print run in this process unless one for the session is going; returns its state."""
    current = _runs.get(session_id)
    if current is not None and not current.finished:
        return current
    state = _runs[session_id] = PrintRun()

    def progress(stage: PrintStage, done: int, total: int) -> None:
        state.stage, state.done, state.total = stage, done, total

    async def run() -> None:
        started = time.perf_counter()
        try:
            _, _, count = await build(
                session_id, settings, workers=workers or batch.default_workers(), progress=progress
            )
            state.stage, state.done, state.total = PrintStage.DONE, count, count
            log.info(
                "print run for session %s: %s certificates in %.1f s",
                session_id,
                count,
                time.perf_counter() - started,
            )
        except OSError as exc:
            log.error("print run for session %s stopped: %s", session_id, exc)
            state.error = batch.STORAGE_ERROR if exc.errno in batch.STORAGE_ERRNOS else type(exc).__name__
        except Exception as exc:
            log.exception("print run for session %s failed", session_id)
            state.error = type(exc).__name__
        finally:
            state.seconds = time.perf_counter() - started
            state.finished = True

    task = asyncio.create_task(run(), name=f"print-run-{session_id}")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return state


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A finished print file on disk: its size and modification time (epoch seconds)."""

    bytes: int
    modified: float


def stored_files(settings: Settings, session_id: int) -> dict[str, StoredFile]:
    """The print files on disk (from the last finished run) by kind ("pdf", "zip")."""
    folder = print_folder(settings, session_id)
    files: dict[str, StoredFile] = {}
    for kind, name in (("pdf", PDF_NAME), ("zip", ZIP_NAME)):
        path = folder / name
        if path.exists():
            stat = path.stat()
            files[kind] = StoredFile(bytes=stat.st_size, modified=stat.st_mtime)
    return files

"""Writing a certificate: its page (training.certificates.design) as a PDF — one JPEG page under an invisible
text layer, so the Chinese text is searchable and copyable — and a small PNG preview.

Runs in worker processes, so everything here is plain data in, files out; no database. Each process reuses one
canvas per artwork and restores only the regions a certificate drew on.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from training.certificates.design import DPI, Artwork, CertificateData, draw_onto, static_base, static_page
from training.certificates.fonts import advance
from training.pdfwrite import PageImage, TextRun, write_pdf

MAX_PDF_BYTES = 600 * 1024
JPEG_QUALITIES = (85, 75, 65, 55)  # tried in order until the PDF is small enough
PREVIEW_REDUCE = 4  # PNG preview at 75 dpi


@dataclass(frozen=True)
class RenderJob:
    data: CertificateData
    artwork: Artwork
    pdf_path: str
    png_path: str = ""  # "" = no preview (batches skip it; the organiser page renders it on first view)


@dataclass(frozen=True)
class RenderResult:
    serial: str
    pdf_path: str
    png_path: str
    pdf_bytes: int
    quality: int


@lru_cache(maxsize=8)
def _working_page(artwork: Artwork) -> Image.Image:
    """A per-process canvas reused across certificates: only the regions drawn on are restored afterwards,
    which is cheaper than copying a 26 MB page for every certificate."""
    return static_base(artwork).copy()


_canvas_lock = threading.Lock()


def _atomic_write(path: str, payload: bytes) -> None:
    """Write-then-rename so a crash never leaves half a file under the final name."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.splitext(path)[1])
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def encode_page(page: Image.Image, quality: int) -> PageImage:
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=quality, dpi=(DPI, DPI))
    return PageImage(buffer.getvalue(), page.width, page.height, DPI)


def encode_pdf(page: Image.Image, runs: list[TextRun], title: str, author: str) -> tuple[bytes, int]:
    """PDF bytes (one JPEG page at 300 dpi under an invisible text layer) and the JPEG quality used to stay
    under MAX_PDF_BYTES."""
    payload = b""
    quality = JPEG_QUALITIES[0]
    for quality in JPEG_QUALITIES:
        payload = write_pdf([(encode_page(page, quality), runs)], advance, title, author)
        if len(payload) <= MAX_PDF_BYTES:
            break
    return payload, quality


def encode_preview(page: Image.Image) -> bytes:
    buffer = io.BytesIO()
    page.reduce(PREVIEW_REDUCE).save(buffer, "PNG", compress_level=3)
    return buffer.getvalue()


@contextlib.contextmanager
def _canvas(job: RenderJob) -> Iterator[tuple[Image.Image, list[TextRun]]]:
    """The process's canvas with this certificate drawn on it, and every string on the page; restored after."""
    with _canvas_lock:  # one canvas per artwork per process: threads (web, in-process batches) take turns
        page = _working_page(job.artwork)
        runs = list(static_page(job.artwork)[1])
        dirty = draw_onto(page, job.data, job.artwork, runs)
        try:
            yield page, runs
        finally:
            base = static_base(job.artwork)
            for box in dirty:
                page.paste(base.crop(box), box[:2])


def render_job(job: RenderJob) -> RenderResult:
    """Draw and store one certificate (PDF, and the PNG preview when asked). Idempotent: same snapshot, same files."""
    with _canvas(job) as (page, runs):
        pdf, quality = encode_pdf(page, runs, f"结业证书 {job.data.serial}", job.artwork.organisation)
        preview = encode_preview(page) if job.png_path else b""
    _atomic_write(job.pdf_path, pdf)
    if job.png_path:
        _atomic_write(job.png_path, preview)
    return RenderResult(job.data.serial, job.pdf_path, job.png_path, len(pdf), quality)


def render_page(job: RenderJob) -> tuple[PageImage, list[TextRun]]:
    """One certificate as a page of a print run (the JPEG quality steps down like a single PDF's)."""
    with _canvas(job) as (page, runs):
        image = encode_page(page, JPEG_QUALITIES[0])
        for quality in JPEG_QUALITIES[1:]:
            if len(image.data) <= MAX_PDF_BYTES - 16 * 1024:
                break
            image = encode_page(page, quality)
    return image, runs


def render_pages(jobs: list[RenderJob]) -> list[tuple[PageImage, list[TextRun]]]:
    return [render_page(job) for job in jobs]


def render_jobs(jobs: list[RenderJob]) -> list[RenderResult]:
    """A chunk of jobs for one worker process (fewer round trips than one job per task)."""
    return [render_job(job) for job in jobs]

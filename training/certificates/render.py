"""Drawing a certificate with Pillow: 300 dpi A4, a PDF (one JPEG page under an invisible text layer: the
Chinese text is searchable and copyable) and a small PNG preview.

Runs in worker processes, so everything here is plain data in, files out; no database. What never changes
between two certificates of one layout (paper, frame, title, organisation artwork) is drawn once per process
and copied; only the name, the session lines, the date, the serial and the QR code are drawn per certificate.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont, ImageOps

from training.pdfwrite import PageImage, TextRun, write_pdf

DPI = 300
A4_MM = (210, 297)
PORTRAIT = (round(A4_MM[0] / 25.4 * DPI), round(A4_MM[1] / 25.4 * DPI))  # 2480 x 3508
LANDSCAPE = (PORTRAIT[1], PORTRAIT[0])
LAYOUTS = ("landscape", "portrait")
MAX_PDF_BYTES = 600 * 1024
JPEG_QUALITIES = (85, 75, 65, 55)  # tried in order until the PDF is small enough
PREVIEW_REDUCE = 4  # PNG preview at 75 dpi

FONT_FACE_INDEX = 2  # NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
FONT_FAMILY = "Noto Sans CJK SC"

# Upload limits for organiser artwork.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_UPLOAD_PIXELS = 40_000_000  # a 300 dpi A3 is 17.4 Mpx; anything far above is a mistake or a bomb
ALLOWED_UPLOAD_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

CN_DIGITS = "〇一二三四五六七八九"


class FontError(RuntimeError):
    """The bundled CJK font is missing or is not the Simplified Chinese face."""


class ArtworkError(ValueError):
    """An uploaded image was refused; .code is a message code for the organiser."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def font_path() -> Path:
    try:
        import noto_cjk_sans_otc
    except ImportError as exc:  # a deployment without the font package cannot draw Chinese
        raise FontError("the noto-cjk-sans-otc package is not installed") from exc
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size, index=FONT_FACE_INDEX)


def check_font() -> str:
    """The face's family name; raises FontError unless it is the Simplified Chinese face.

    Face 0 of the collection is Japanese and draws e.g. 骨 and 直 in Japanese shapes: a wrong index is a real bug.
    """
    family, _style = font(48).getname()
    if family != FONT_FAMILY:
        raise FontError(f"expected face {FONT_FAMILY!r} at index {FONT_FACE_INDEX}, found {family!r}")
    return family


@lru_cache(maxsize=1)
def _notdef_signature() -> bytes:
    # U+10FFFD (private use, plane 16) is in no font: what the font draws for it is its "missing" box.
    return _glyph_signature("\U0010fffd")


@lru_cache(maxsize=4096)
def _glyph_signature(char: str) -> bytes:
    mask = font(40).getmask(char)
    return bytes(mask.size[0].to_bytes(2, "big") + mask.size[1].to_bytes(2, "big")) + bytes(mask)


def missing_glyphs(text: str) -> list[str]:
    """Characters of `text` the font cannot draw (it would print a box instead)."""
    missing = []
    for char in dict.fromkeys(text):
        if char.isspace():
            continue
        if _glyph_signature(char) == _notdef_signature():
            missing.append(char)
    return missing


# ---------------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Artwork:
    """What a programme contributes: layout, style variant and the organiser's optional images."""

    layout: str = "landscape"  # landscape / portrait
    variant: str = "summer"  # summer / exchange: exchange cohorts get their own design
    programme_name: str = ""
    organisation: str = ""
    background_path: str = ""  # normalised upload (PNG), replaces paper and frame
    seal_path: str = ""  # normalised upload (RGBA PNG), stamped over the signature block


@dataclass(frozen=True)
class CertificateData:
    """A certificate snapshot as printed (plain data: crosses process boundaries)."""

    serial: str
    verification_code: str
    teacher_name: str
    county_name: str
    school_name: str
    session_title: str
    session_dates: str  # already formatted: 2019年7月15日至7月18日
    hours: float
    issued_on: date
    verify_url: str


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


# ---------------------------------------------------------------------------------------------------------------
# Formatting


def chinese_date(day: date) -> str:
    """2019-07-18 → 二〇一九年七月十八日 (the customary form on certificates)."""

    def number(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def format_hours(hours: float) -> str:
    return f"{hours:g}" if hours == int(hours) else f"{hours:.1f}"


def session_dates_text(starts_on: date, ends_on: date) -> str:
    start = f"{starts_on.year}年{starts_on.month}月{starts_on.day}日"
    if ends_on == starts_on:
        return start
    if ends_on.year != starts_on.year:
        return f"{start}至{ends_on.year}年{ends_on.month}月{ends_on.day}日"
    return f"{start}至{ends_on.month}月{ends_on.day}日"


# ---------------------------------------------------------------------------------------------------------------
# Design


@dataclass(frozen=True)
class Palette:
    paper: tuple[int, int, int]
    frame: tuple[int, int, int]
    accent: tuple[int, int, int]
    title: tuple[int, int, int]
    ink: tuple[int, int, int]
    muted: tuple[int, int, int]


SUMMER = Palette(
    paper=(251, 248, 240),
    frame=(140, 32, 28),
    accent=(181, 150, 94),
    title=(140, 32, 28),
    ink=(38, 34, 30),
    muted=(110, 102, 92),
)
EXCHANGE = Palette(
    paper=(248, 249, 246),
    frame=(30, 78, 96),
    accent=(181, 150, 94),
    title=(30, 78, 96),
    ink=(34, 38, 42),
    muted=(96, 106, 112),
)
# Muted rainbow for the exchange cohorts ("彩虹行动"): a thin band, not a poster.
RAINBOW = [(196, 92, 84), (214, 142, 84), (214, 188, 104), (126, 168, 112), (92, 150, 170), (96, 112, 170)]


def _page_size(layout: str) -> tuple[int, int]:
    return PORTRAIT if layout == "portrait" else LANDSCAPE


def _palette(variant: str) -> Palette:
    return EXCHANGE if variant == "exchange" else SUMMER


def _spaced_width(text: str, fnt: ImageFont.FreeTypeFont, tracking: float) -> float:
    if not text:
        return 0.0
    return sum(fnt.getlength(c) for c in text) + tracking * (len(text) - 1)


def _draw_spaced(
    draw: ImageDraw.ImageDraw,
    x: float,
    baseline: float,
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    tracking: float = 0.0,
    stroke: int = 0,
    runs: list[TextRun] | None = None,
) -> None:
    if runs is not None:
        runs.append(TextRun(x, baseline, fnt.size, text, tracking))
    if tracking == 0.0:
        draw.text(
            (x, baseline), text, font=fnt, fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill
        )
        return
    for char in text:
        draw.text(
            (x, baseline), char, font=fnt, fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill
        )
        x += fnt.getlength(char) + tracking


def _centered(
    draw: ImageDraw.ImageDraw,
    cx: float,
    baseline: float,
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    tracking: float = 0.0,
    stroke: int = 0,
    runs: list[TextRun] | None = None,
) -> None:
    width = _spaced_width(text, fnt, tracking)
    _draw_spaced(draw, cx - width / 2, baseline, text, fnt, fill, tracking, stroke, runs)


def _right_aligned(
    draw: ImageDraw.ImageDraw,
    x_right: float,
    baseline: float,
    text: str,
    fnt: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    runs: list[TextRun] | None = None,
) -> None:
    draw.text((x_right, baseline), text, font=fnt, fill=fill, anchor="rs")
    if runs is not None:
        runs.append(TextRun(x_right - fnt.getlength(text), baseline, fnt.size, text))


def _fit_size(text: str, max_width: float, start: int, minimum: int, tracking_em: float = 0.0) -> int:
    """The largest font size (≤ start, ≥ minimum) at which `text` fits in max_width."""
    size = start
    while size > minimum:
        if _spaced_width(text, font(size), tracking_em * size) <= max_width:
            return size
        size -= 4
    return minimum


def _name_tracking(name: str) -> float:
    """Letter-spacing in em: 王芳 is set as 王 芳, longer names close up (Chinese typesetting habit)."""
    return {1: 0.0, 2: 0.8, 3: 0.3}.get(len(name), 0.08 if len(name) <= 5 else 0.0)


def _static_base(artwork: Artwork) -> Image.Image:
    """Everything that is the same on every certificate of this artwork; drawn once per process."""
    return _static(artwork)[0]


@lru_cache(maxsize=8)
def _static(artwork: Artwork) -> tuple[Image.Image, tuple[TextRun, ...]]:
    """The static page and the text drawn on it (for the PDF's text layer)."""
    runs: list[TextRun] = []
    width, height = _page_size(artwork.layout)
    pal = _palette(artwork.variant)
    portrait = artwork.layout == "portrait"
    if artwork.background_path:
        with Image.open(artwork.background_path) as bg:
            page = ImageOps.fit(bg.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    else:
        page = Image.new("RGB", (width, height), pal.paper)
        _draw_frame(ImageDraw.Draw(page), width, height, pal, artwork.variant)
    draw = ImageDraw.Draw(page)
    cx = width / 2
    unit = width / 100  # layout unit: 1% of the page width

    title_top = height * (0.155 if portrait else 0.16)
    if artwork.variant == "exchange" and artwork.programme_name:
        size = _fit_size(artwork.programme_name, width * 0.7, int(unit * 2.6), 40)
        _centered(
            draw,
            cx,
            title_top - unit * 5.2,
            artwork.programme_name,
            font(size),
            pal.muted,
            0.15 * size,
            runs=runs,
        )
    title_size = int(unit * (8.4 if portrait else 6.2))
    _centered(
        draw,
        cx,
        title_top + title_size * 0.55,
        "结业证书",
        font(title_size),
        pal.title,
        title_size * 0.45,
        3,
        runs,
    )
    sub_size = int(unit * (1.45 if portrait else 1.05))
    _centered(
        draw,
        cx,
        title_top + title_size * 0.55 + sub_size * 2.6,
        "CERTIFICATE OF COMPLETION",
        font(sub_size),
        pal.accent,
        sub_size * 0.42,
        runs=runs,
    )
    if artwork.variant == "exchange":
        band_y = int(title_top + title_size * 0.55 + sub_size * 4.4)
        band_w = int(width * 0.24)
        seg = band_w // len(RAINBOW)
        x0 = int(cx - seg * len(RAINBOW) / 2)
        for i, colour in enumerate(RAINBOW):
            draw.rectangle(
                (x0 + i * seg, band_y, x0 + (i + 1) * seg - 1, band_y + int(unit * 0.22)), fill=colour
            )
    else:
        rule_y = int(title_top + title_size * 0.55 + sub_size * 4.4)
        draw.line(
            (cx - unit * 9, rule_y, cx + unit * 9, rule_y), fill=pal.accent, width=max(2, int(unit * 0.09))
        )
        draw.ellipse((cx - 7, rule_y - 7, cx + 7, rule_y + 7), fill=pal.accent)

    if artwork.organisation:
        org_font = font(int(unit * (2.3 if portrait else 1.75)))
        x_right, baseline = _signature_anchor(width, height, portrait)
        _right_aligned(draw, x_right, baseline, artwork.organisation, org_font, pal.ink, runs)
    return page, tuple(runs)


def _signature_anchor(width: int, height: int, portrait: bool) -> tuple[float, float]:
    """Right edge and baseline of the organisation line; the date goes one line below."""
    if portrait:
        return width * 0.86, height * 0.80
    return width * 0.86, height * 0.79


def _draw_frame(draw: ImageDraw.ImageDraw, width: int, height: int, pal: Palette, variant: str) -> None:
    """A double rule with small corner brackets: quiet, like a printed diploma."""
    outer = int(min(width, height) * 0.045)
    inner = outer + int(min(width, height) * 0.016)
    draw.rectangle((outer, outer, width - outer, height - outer), outline=pal.frame, width=14)
    draw.rectangle((inner, inner, width - inner, height - inner), outline=pal.accent, width=4)
    arm = int(min(width, height) * 0.06)
    gap = int(min(width, height) * 0.008)
    c = inner + gap
    for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
        x = c if sx > 0 else width - c
        y = c if sy > 0 else height - c
        draw.line((x, y, x + sx * arm, y), fill=pal.frame, width=6)
        draw.line((x, y, x, y + sy * arm), fill=pal.frame, width=6)
        draw.rectangle(
            (
                min(x + sx * 18, x + sx * 34),
                min(y + sy * 18, y + sy * 34),
                max(x + sx * 18, x + sx * 34),
                max(y + sy * 18, y + sy * 34),
            ),
            fill=pal.accent,
        )


@lru_cache(maxsize=8)
def _seal(path: str, diameter: int) -> Image.Image:
    with Image.open(path) as img:
        seal = img.convert("RGBA")
    seal.thumbnail((diameter, diameter), Image.Resampling.LANCZOS)
    return seal


def _qr_image(url: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(url)
    code.make(fit=True)
    modules = code.get_matrix()
    n = len(modules)
    small = Image.new("L", (n, n), 255)
    small.putdata([0 if cell else 255 for row in modules for cell in row])
    box = max(1, size // n)
    return small.resize((n * box, n * box), Image.Resampling.NEAREST)


# ---------------------------------------------------------------------------------------------------------------
# Drawing one certificate


def draw_certificate(data: CertificateData, artwork: Artwork) -> Image.Image:
    """The full-resolution page as an RGB image (a fresh copy)."""
    page = _static_base(artwork).copy()
    _draw_onto(page, data, artwork)
    return page


@lru_cache(maxsize=8)
def _working_page(artwork: Artwork) -> Image.Image:
    """A per-process canvas reused across certificates: only the regions drawn on are restored afterwards,
    which is cheaper than copying a 26 MB page for every certificate."""
    return _static_base(artwork).copy()


Box = tuple[int, int, int, int]
_canvas_lock = threading.Lock()


def _box(page: Image.Image, x0: float, y0: float, x1: float, y1: float) -> Box:
    return (max(0, int(x0)), max(0, int(y0)), min(page.width, int(x1) + 1), min(page.height, int(y1) + 1))


def _draw_onto(
    page: Image.Image, data: CertificateData, artwork: Artwork, runs: list[TextRun] | None = None
) -> list[Box]:
    """Draw the per-certificate content; returns the boxes it touched (to restore a reused canvas).
    The strings drawn are appended to `runs` (the PDF's text layer)."""
    width, height = page.size
    portrait = artwork.layout == "portrait"
    pal = _palette(artwork.variant)
    draw = ImageDraw.Draw(page)
    cx = width / 2
    unit = width / 100
    text_width = width * (0.72 if portrait else 0.66)
    dirty: list[Box] = []

    # The name: the largest size that fits, letter-spaced when short, with a fine rule under it.
    name = data.teacher_name.strip()
    tracking = _name_tracking(name)
    name_start = int(unit * (6.4 if portrait else 4.4))
    name_size = _fit_size(name, text_width * 0.8, name_start, int(unit * 1.6), tracking)
    name_font = font(name_size)
    name_base = height * (0.43 if portrait else 0.405)
    _centered(draw, cx, name_base, name, name_font, pal.ink, tracking * name_size, 2, runs)
    rule_y = name_base + name_start * 0.32
    rule_half = max(_spaced_width(name, name_font, tracking * name_size) / 2 + unit * 3, unit * 12)
    draw.line((cx - rule_half, rule_y, cx + rule_half, rule_y), fill=pal.accent, width=3)

    body = int(unit * (2.6 if portrait else 1.95))
    line = body * (2.1 if portrait else 1.85)
    y = rule_y + body * 2.1
    place = " · ".join(p for p in (data.county_name, data.school_name) if p)
    if place:
        size = _fit_size(place, text_width, body, int(body * 0.6))
        _centered(draw, cx, y, place, font(size), pal.muted, runs=runs)
        y += line * 1.35
    else:
        y += line * 0.5

    first = f"于 {data.session_dates} 参加"
    _centered(
        draw, cx, y, first, font(_fit_size(first, text_width, body, int(body * 0.6))), pal.ink, runs=runs
    )
    y += line * 1.05
    title_size = _fit_size(data.session_title, text_width, int(body * 1.45), int(body * 0.7), 0.06)
    _centered(
        draw,
        cx,
        y + body * 0.2,
        data.session_title,
        font(title_size),
        pal.title,
        title_size * 0.06,
        runs=runs,
    )
    y += line * 1.2
    hours = f"完成培训 {format_hours(data.hours)} 学时，经考核合格，准予结业。"
    _centered(
        draw, cx, y, hours, font(_fit_size(hours, text_width, body, int(body * 0.6))), pal.ink, runs=runs
    )
    y += line
    _centered(draw, cx, y, "特发此证。", font(body), pal.ink, runs=runs)
    half = max(text_width / 2, rule_half) + unit
    dirty.append(_box(page, cx - half, name_base - name_start * 1.3, cx + half, y + body * 0.6))

    # Signature block: organisation (static) and the date, with the seal stamped over both.
    x_right, org_base = _signature_anchor(width, height, portrait)
    date_font = font(int(unit * (2.1 if portrait else 1.6)))
    date_base = org_base + unit * (4.0 if portrait else 3.0)
    date_text = chinese_date(data.issued_on)
    _right_aligned(draw, x_right, date_base, date_text, date_font, pal.ink, runs)
    date_left = x_right - date_font.getlength(date_text)
    dirty.append(
        _box(page, date_left - unit, date_base - date_font.size * 1.3, x_right + unit, date_base + unit)
    )
    if artwork.seal_path:
        diameter = int(unit * (17 if portrait else 12))
        seal = _seal(artwork.seal_path, diameter)
        sx = int(x_right - unit * (9 if portrait else 7) - seal.width / 2)
        sy = int((org_base + date_base) / 2 - seal.height / 2 - unit * 0.8)
        page.paste(seal, (sx, sy), seal)
        dirty.append(_box(page, sx, sy, sx + seal.width, sy + seal.height))

    # Verification block, bottom left: QR on a white tile, serial and code beside it.
    qr_size = int(unit * (13 if portrait else 9.5))
    qr = _qr_image(data.verify_url, qr_size)
    pad = qr.width // 12
    qx = int(width * (0.12 if portrait else 0.115))
    qy = int(height * (0.875 if portrait else 0.87)) - qr.height
    draw.rectangle((qx - pad, qy - pad, qx + qr.width + pad, qy + qr.height + pad), fill=(255, 255, 255))
    page.paste(qr.convert("RGB"), (qx, qy))
    small = font(int(unit * (1.55 if portrait else 1.1)))
    tx = qx + qr.width + pad + unit * 1.8
    ty = qy + qr.height * 0.38
    lines = [
        (f"证书编号  {data.serial}", pal.ink),
        (f"验证码  {data.verification_code}", pal.muted),
        ("扫码查验证书真伪", pal.muted),
    ]
    right = tx
    for i, (text, colour) in enumerate(lines):
        _draw_spaced(draw, tx, ty + small.size * 1.7 * i, text, small, colour, runs=runs)
        right = max(right, tx + small.getlength(text))
    bottom = max(qy + qr.height + pad, ty + small.size * 3.4 + small.size * 0.5)
    dirty.append(_box(page, qx - pad, min(qy - pad, ty - small.size * 1.3), right + unit, bottom + 1))
    return dirty


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


@lru_cache(maxsize=8192)
def advance(char: str) -> float:
    """A character's advance in thousandths of an em (the PDF text layer's widths)."""
    return font(1000).getlength(char)


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
        runs = list(_static(job.artwork)[1])
        dirty = _draw_onto(page, job.data, job.artwork, runs)
        try:
            yield page, runs
        finally:
            base = _static_base(job.artwork)
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


# ---------------------------------------------------------------------------------------------------------------
# Organiser uploads


def normalise_upload(payload: bytes, kind: str) -> bytes:
    """Validate an uploaded background or seal and return it as a PNG we are happy to open later.

    Refuses: too many bytes, not PNG/JPEG/WebP, and images whose pixel count would explode in memory
    (decompression bombs) — checked from the header before any pixel is decoded.
    """
    if len(payload) > MAX_UPLOAD_BYTES:
        raise ArtworkError("artwork_too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(payload))
            if img.format not in ALLOWED_UPLOAD_FORMATS:
                raise ArtworkError("artwork_bad_type")
            w, h = img.size
            if w * h > MAX_UPLOAD_PIXELS:
                raise ArtworkError("artwork_too_many_pixels")
            if min(w, h) < 64:
                raise ArtworkError("artwork_too_small")
            img.load()
    except ArtworkError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ArtworkError("artwork_too_many_pixels") from None
    except Exception:  # truncated or not an image at all: Pillow raises a variety of errors
        raise ArtworkError("artwork_bad_type") from None
    if kind == "seal":
        out = img.convert("RGBA")
        out.thumbnail((1200, 1200), Image.Resampling.LANCZOS)
    else:
        out = img.convert("RGB")
        out.thumbnail((LANDSCAPE[0], LANDSCAPE[0]), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    out.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()

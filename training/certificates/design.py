"""The certificate's design, drawn with Pillow at 300 dpi A4: the static page of a programme's artwork (paper,
frame, title, organisation) drawn once per process, and the per-certificate content (name, session lines, date,
serial, QR code) drawn onto a copy. Plain data in, images out; no database, no files written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont, ImageOps

from training.certificates.fonts import font
from training.certificates.formatting import chinese_date, format_hours
from training.certificates.states import Design
from training.pdfwrite import TextRun
from training.programmes.states import CertificateLayout

DPI = 300
A4_MM = (210, 297)
PORTRAIT = (round(A4_MM[0] / 25.4 * DPI), round(A4_MM[1] / 25.4 * DPI))  # 2480 x 3508
LANDSCAPE = (PORTRAIT[1], PORTRAIT[0])


# ---------------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Artwork:
    """What a programme contributes: layout, style variant and the organiser's optional images."""

    layout: CertificateLayout = CertificateLayout.LANDSCAPE
    variant: Design = Design.SUMMER  # exchange cohorts get their own design
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


def _page_size(layout: CertificateLayout) -> tuple[int, int]:
    return PORTRAIT if layout == CertificateLayout.PORTRAIT else LANDSCAPE


def _palette(variant: Design) -> Palette:
    return EXCHANGE if variant == Design.EXCHANGE else SUMMER


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


def static_base(artwork: Artwork) -> Image.Image:
    """Everything that is the same on every certificate of this artwork; drawn once per process."""
    return static_page(artwork)[0]


@lru_cache(maxsize=8)
def static_page(artwork: Artwork) -> tuple[Image.Image, tuple[TextRun, ...]]:
    """The static page and the text drawn on it (for the PDF's text layer)."""
    runs: list[TextRun] = []
    width, height = _page_size(artwork.layout)
    pal = _palette(artwork.variant)
    portrait = artwork.layout == CertificateLayout.PORTRAIT
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
    if artwork.variant == Design.EXCHANGE and artwork.programme_name:
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
    if artwork.variant == Design.EXCHANGE:
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


def _draw_frame(draw: ImageDraw.ImageDraw, width: int, height: int, pal: Palette, variant: Design) -> None:
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
    page = static_base(artwork).copy()
    draw_onto(page, data, artwork)
    return page


Box = tuple[int, int, int, int]


def _box(page: Image.Image, x0: float, y0: float, x1: float, y1: float) -> Box:
    return (max(0, int(x0)), max(0, int(y0)), min(page.width, int(x1) + 1), min(page.height, int(y1) + 1))


def draw_onto(
    page: Image.Image, data: CertificateData, artwork: Artwork, runs: list[TextRun] | None = None
) -> list[Box]:
    """Draw the per-certificate content; returns the boxes it touched (to restore a reused canvas).
    The strings drawn are appended to `runs` (the PDF's text layer)."""
    width, height = page.size
    portrait = artwork.layout == CertificateLayout.PORTRAIT
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

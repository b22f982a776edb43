"""Server-side SVG charts: horizontal bars, a trend line, a funnel. Pure (strings in, markup out).

No scripts and no style attributes (the CSP forbids inline styles): only presentation attributes, so the charts
print, scale with their viewBox on a phone, and carry their numbers as text: a <title> and a <desc> listing
every value, per-mark <title>s, and value labels drawn next to each bar. Pages put a data table beside them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#1f5f8b", "#e08a00", "#0f7a3d", "#8e3b8e", "#b42318")
DASHES = ("", "6 4", "2 3", "10 3 2 3", "1 0")  # tell lines apart in black-and-white print
FONT = "PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
INK = "#14212b"
MUTED = "#4a5a66"
GRID = "#d3dbe1"
GAP = "#eef1f4"  # years without any data between two plotted years

_ids = itertools.count(1)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above value (an axis maximum people can read)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _text_width(text: str, size: float) -> float:
    """Approximate rendered width: CJK glyphs are square, Latin digits about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.62 for ch in text)


def _open(width: float, height: float, title: str, desc: str, css_class: str) -> list[str]:
    n = next(_ids)
    tid, did = f"chart-{n}-title", f"chart-{n}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' role="img" aria-labelledby="{tid} {did}" preserveAspectRatio="xMinYMin meet"'
        f' font-family={quoteattr(FONT)} font-size="13" fill="{INK}">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
    ]


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    width: int = 360,
) -> str:
    """Horizontal bars, one group per label, one bar per series (at most a few); values printed at bar ends."""
    label_width = min(width * 0.4, max([_text_width(lb, 13) for lb in labels] + [40.0]) + 8)
    value_room = 64.0
    plot = width - label_width - value_room
    bar_h = 16.0 if len(series) == 1 else 11.0
    group_h = bar_h * len(series) + 10
    legend_w = sum(24 + _text_width(name, 12) for name, _ in series)
    legend_rows = 1 if legend_w <= width - label_width else len(series)
    legend_h = 6.0 + 18.0 * legend_rows if len(series) > 1 else 0.0
    height = legend_h + group_h * max(1, len(labels)) + 8
    top = max([v for _, values in series for v in values] + [0.0])
    scale = plot / nice_ceiling(top) if top > 0 else 0.0
    desc = "；".join(
        f"{lb}：" + "，".join(f"{name} {_num(values[i])}{unit}" for name, values in series)
        for i, lb in enumerate(labels)
    )
    out = _open(width, height, title, desc or title, "bars")
    if len(series) > 1:
        x, y = label_width, 6.0
        for k, (name, _) in enumerate(series):
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
            )
            out.append(f'<text x="{x + 16:.1f}" y="{y + 10:.1f}" font-size="12">{escape(name)}</text>')
            if legend_rows == 1:
                x += 24 + _text_width(name, 12)
            else:
                y += 18
    for i, lb in enumerate(labels):
        y0 = legend_h + i * group_h + 4
        out.append(
            f'<text x="{label_width - 6:.1f}" y="{y0 + (group_h - 10) / 2 + 5:.1f}" text-anchor="end">{escape(lb)}</text>'
        )
        for k, (name, values) in enumerate(series):
            value = float(values[i])
            y = y0 + k * bar_h
            w = max(0.0, value * scale)
            out.append(
                f'<rect x="{label_width:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2:.1f}"'
                f' fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(f"{lb} {name} {_num(value)}{unit}")}</title></rect>'
            )
            out.append(
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar_h - 4:.1f}" font-size="11"'
                f' fill="{MUTED}">{escape(_num(value))}</text>'
            )
    out.append(
        f'<line x1="{label_width:.1f}" y1="{legend_h:.1f}" x2="{label_width:.1f}" y2="{height - 4:.1f}" stroke="{MUTED}"/>'
    )
    out.append("</svg>")
    return "".join(out)


def count_axis(value: float, max_ticks: int = 5) -> tuple[int, int]:
    """(top, step) for an axis of head counts: whole-number ticks 0, step, …, top with top >= value and at most
    max_ticks steps, the step a 1, 2 or 5 × 10^k (no tick reads 6.2 people)."""
    if value <= 0:
        return 1, 1
    exponent = 0
    while True:
        for base in (1, 2, 5):
            step = base * 10**exponent
            if math.ceil(value / step) <= max_ticks:
                return step * math.ceil(value / step), step
        exponent += 1


def year_runs(years: Sequence[int]) -> list[list[int]]:
    """Indexes of consecutive years grouped: [2011, 2012, 2019] → [[0, 1], [2]]. Pure."""
    runs: list[list[int]] = []
    for i, year in enumerate(years):
        if runs and years[runs[-1][-1]] == year - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


@dataclass(frozen=True, slots=True)
class _TrendFrame:
    """Where a trend chart's years and values land: the plot box, the year span and the top of the count axis."""

    left: float
    right: float
    top_pad: float
    plot_w: float
    plot_h: float
    first: int
    last: int
    top: int
    partial: Collection[int]

    @property
    def span(self) -> int:
        return max(1, self.last - self.first)

    def px(self, x: int) -> float:
        return self.left + (
            self.plot_w * (x - self.first) / self.span if self.last > self.first else self.plot_w / 2
        )

    def py(self, v: float) -> float:
        return self.top_pad + self.plot_h - self.plot_h * v / self.top

    def label(self, x: int) -> str:
        return f"{x}*" if x in self.partial else str(x)


def _legend_positions(
    series: Sequence[tuple[str, Sequence[float]]], left: float, right_edge: float
) -> list[tuple[float, float]]:
    """(x, y) of each series' legend entry, wrapping onto new rows."""
    legend: list[tuple[float, float]] = []
    lx, ly = left, 12.0
    for name, _ in series:
        entry = 34 + _text_width(name, 12)
        if lx + entry > right_edge and lx > left:
            lx, ly = left, ly + 18
        legend.append((lx, ly))
        lx += entry
    return legend


def _gap_marks(f: _TrendFrame, gaps: list[tuple[int, int]], gap_text: Any) -> list[str]:
    """A shaded band per run of missing years, labelled with its span where the label fits."""
    out = []
    half_year = f.plot_w / f.span / 2 if f.last > f.first else 0.0
    for gap in gaps:
        x0, x1 = f.px(gap[0]) - half_year, f.px(gap[1]) + half_year
        out.append(
            f'<rect x="{x0:.1f}" y="{f.top_pad:.1f}" width="{x1 - x0:.1f}" height="{f.plot_h:.1f}" fill="{GAP}">'
            f"<title>{escape(gap_text(gap))}</title></rect>"
        )
        text = gap_text(gap)
        if _text_width(text, 10) + 4 <= x1 - x0:
            out.append(
                f'<text x="{(x0 + x1) / 2:.1f}" y="{f.top_pad + f.plot_h / 2:.1f}" text-anchor="middle"'
                f' font-size="10" fill="{MUTED}">{escape(text)}</text>'
            )
    return out


def _count_ticks(f: _TrendFrame, step: int, width: int) -> list[str]:
    out = []
    for k in range(f.top // step + 1):
        tick = k * step
        y = f.py(tick)
        out.append(
            f'<line x1="{f.left:.1f}" y1="{y:.1f}" x2="{width - f.right:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{f.left - 4:.1f}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">{_num(tick)}</text>'
        )
    return out


def _year_labels(f: _TrendFrame, xs: Sequence[int], width: int, baseline: float) -> list[str]:
    """A label per year where there is room: always at the start and end of a run, skipped in between when
    crowded."""
    out = []
    last_label = -1e9
    for i, x in enumerate(xs):
        starts_run = i == 0 or xs[i - 1] != x - 1
        room = _text_width(f.label(x), 11) + 6
        if f.px(x) - last_label >= room and (
            starts_run or i == len(xs) - 1 or f.px(xs[-1]) - f.px(x) >= room
        ):
            # A label that would spill over the right edge ends at it instead.
            anchor, tx = ("end", width - 2.0) if f.px(x) + room / 2 > width else ("middle", f.px(x))
            out.append(
                f'<text x="{tx:.1f}" y="{baseline:.1f}" text-anchor="{anchor}" font-size="11">'
                f"{escape(f.label(x))}</text>"
            )
            last_label = f.px(x)
    return out


def _series_lines(
    f: _TrendFrame, xs: Sequence[int], values: Sequence[float], runs: list[list[int]], color: str, dash: str
) -> list[str]:
    out = []
    for run in runs:
        done = [i for i in run if xs[i] not in f.partial]
        # The finished years as one line; a year not over joins its run with a thin dotted segment.
        if len(done) > 1:
            points = " ".join(f"{f.px(xs[i]):.1f},{f.py(values[i]):.1f}" for i in done)
            out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2.5"{dash}/>')
        for a, b in itertools.pairwise(run):
            if xs[b] in f.partial or xs[a] in f.partial:
                out.append(
                    f'<line x1="{f.px(xs[a]):.1f}" y1="{f.py(values[a]):.1f}" x2="{f.px(xs[b]):.1f}"'
                    f' y2="{f.py(values[b]):.1f}" stroke="{color}" stroke-width="1.5" stroke-dasharray="2 3"/>'
                )
    return out


def _series_marks(
    f: _TrendFrame,
    xs: Sequence[int],
    name: str,
    values: Sequence[float],
    runs: list[list[int]],
    k: int,
    legend_at: tuple[float, float],
    unit: str,
) -> list[str]:
    """One series: its lines, a marker per year (hollow when not over) and its legend entry."""
    color = PALETTE[k % len(PALETTE)]
    dash = f' stroke-dasharray="{DASHES[k % len(DASHES)]}"' if DASHES[k % len(DASHES)] else ""
    out = _series_lines(f, xs, values, runs, color, dash)
    for i, v in enumerate(values):
        fill = "#fff" if xs[i] in f.partial else color
        out.append(
            f'<circle cx="{f.px(xs[i]):.1f}" cy="{f.py(v):.1f}" r="3.5" fill="{fill}" stroke="{color}"'
            f' stroke-width="1.5"><title>{escape(f"{f.label(xs[i])} {name} {_num(v)}{unit}")}</title></circle>'
        )
    lx, ly = legend_at
    out.append(
        f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 18:.1f}" y2="{ly:.1f}" stroke="{color}" stroke-width="2.5"{dash}/>'
    )
    out.append(f'<text x="{lx + 22:.1f}" y="{ly + 4:.1f}" font-size="12">{escape(name)}</text>')
    return out


def line_chart(
    title: str,
    xs: Sequence[int],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    width: int = 360,
    height: int = 220,
    partial: Collection[int] = (),
    partial_note: str = "* not over yet",
    gap_label: str = "{start}–{end}",
) -> str:
    """Head counts over years on a true time axis: one line per series with a marker per year.

    Years missing between two plotted years are a shaded gap labelled with their span (the line breaks there
    instead of joining 2019 to 2026); years in `partial` (not over yet) get a hollow marker, a dashed segment
    and an asterisk, explained by `partial_note`. The y axis has whole-number ticks."""
    left, right, bottom = 44.0, 12.0, 28.0
    note_h = 16.0 if any(x in partial for x in xs) else 0.0
    legend = _legend_positions(series, left, width - right)
    top_pad = (legend[-1][1] if legend else 12.0) + 18
    top, step = count_axis(max([v for _, values in series for v in values] + [0.0]))
    first, last = (min(xs), max(xs)) if xs else (0, 0)
    frame = _TrendFrame(
        left,
        right,
        top_pad,
        width - left - right,
        height - top_pad - bottom - note_h,
        first,
        last,
        top,
        partial,
    )
    runs = year_runs(list(xs))
    gaps = [(xs[a[-1]] + 1, xs[b[0]] - 1) for a, b in itertools.pairwise(runs)]

    def gap_text(gap: tuple[int, int]) -> str:
        return gap_label.format(start=gap[0], end=gap[1]) if gap[0] != gap[1] else str(gap[0])

    desc = "；".join(
        f"{name}：" + "，".join(f"{frame.label(x)} {_num(v)}{unit}" for x, v in zip(xs, values, strict=True))
        for name, values in series
    )
    if gaps:
        desc += "；" + "，".join(gap_text(g) for g in gaps)
    if note_h:
        desc += "；" + partial_note
    out = _open(width, height, title, desc or title, "trend")
    out += _gap_marks(frame, gaps, gap_text)
    out += _count_ticks(frame, step, width)
    out += _year_labels(frame, xs, width, height - note_h - 8)
    for k, (name, values) in enumerate(series):
        out += _series_marks(frame, xs, name, values, runs, k, legend[k], unit)
    if note_h:
        out.append(
            f'<text x="{left:.1f}" y="{height - 6:.1f}" font-size="11" fill="{MUTED}">{escape(partial_note)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def funnel_chart(title: str, steps: Sequence[tuple[str, float]], *, width: int = 360) -> str:
    """Centred bars narrowing from the first step; each shows its count and its share of the first step."""
    row_h, gap = 34.0, 6.0
    height = len(steps) * (row_h + gap) + 4
    first = float(steps[0][1]) if steps else 0.0
    label_w = min(width * 0.45, max([_text_width(lb, 13) for lb, _ in steps] + [40.0]) + 10)
    plot = width - label_w - 8

    def share(v: float) -> str:
        return f"{v / first * 100:.1f}%" if first else "—"

    desc = "；".join(f"{lb} {_num(v)}（{share(v)}）" for lb, v in steps)
    out = _open(width, height, title, desc or title, "funnel")
    for i, (lb, value) in enumerate(steps):
        y = i * (row_h + gap) + 2
        w = plot * (float(value) / first) if first else 0.0
        x = label_w + (plot - w) / 2
        out.append(
            f'<text x="{label_w - 8:.1f}" y="{y + row_h / 2 + 5:.1f}" text-anchor="end">{escape(lb)}</text>'
        )
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row_h:.1f}" rx="4"'
            f' fill="{PALETTE[0]}" fill-opacity="{1 - i * 0.12:.2f}"><title>{escape(f"{lb} {_num(value)}")}</title></rect>'
        )
        text = f"{_num(value)} · {share(value)}"
        if w > _text_width(text, 13) + 12:
            tx, anchor, fill = label_w + plot / 2, "middle", "#fff"
        else:
            tx, anchor, fill = x + w + 4, "start", INK
        out.append(
            f'<text x="{tx:.1f}" y="{y + row_h / 2 + 5:.1f}" text-anchor="{anchor}" font-weight="700"'
            f' fill="{fill}">{escape(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)

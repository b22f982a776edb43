"""Pure pieces: SVG charts, rates and roll-ups, query-string filters, terminal tables."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from training.errors import ValidationFailed
from training.stats import charts
from training.stats.cli import display_width, render_table
from training.stats.figures import Filters, funnel, percent, rate, roll_up, total
from training.stats.service import filters_from_query

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bar_chart_is_well_formed_svg_with_every_number_in_text() -> None:
    svg = charts.bar_chart(
        "各县培训教师", ["剑阁县", "喜德县"], [("培训教师", [205, 206]), ("多年参训", [42, 45])]
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("viewBox")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "各县培训教师"
    assert (
        desc is not None
        and desc.text == "剑阁县：培训教师 205，多年参训 42；喜德县：培训教师 206，多年参训 45"
    )
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"205", "206", "42", "45", "剑阁县", "喜德县"} <= set(texts)
    widths = {
        r.find(f"{SVG}title").text: float(r.get("width"))
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    }  # type: ignore[union-attr]
    assert widths["喜德县 培训教师 206"] > widths["剑阁县 培训教师 205"] > widths["剑阁县 多年参训 42"] > 0
    assert "style=" not in svg and "<script" not in svg


def test_chart_text_is_escaped() -> None:
    svg = charts.bar_chart("<b>", ["<script>alert(1)</script>"], [("a&b", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)


def test_line_chart_plots_every_year_and_funnel_shows_shares() -> None:
    svg = charts.line_chart("历年", [2011, 2012, 2013], [("报名", [145, 144, 0])])
    root = parse(svg)
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    assert "2011 145，2012 144，2013 0" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    funnel_svg = charts.funnel_chart("漏斗", [("报名", 200), ("结业", 150)])
    assert "150 · 75.0%" in funnel_svg
    assert "—" in charts.funnel_chart("漏斗", [("报名", 0), ("结业", 0)])
    parse(funnel_svg)


def test_count_axes_have_whole_number_ticks() -> None:
    assert [charts.count_axis(v) for v in (0, 6, 12, 25, 145, 2600)] == [
        (1, 1),
        (6, 2),
        (15, 5),
        (25, 5),
        (150, 50),
        (3000, 1000),
    ]
    svg = charts.line_chart("历年", [2011, 2012], [("报名", [12, 25])])
    ticks = [t.text for t in parse(svg).iter(f"{SVG}text") if t.get("x") == "40.0"]  # left of the plot
    assert ticks == ["0", "5", "10", "15", "20", "25"]


def test_years_without_data_show_as_a_labelled_gap_and_an_unfinished_year_is_marked() -> None:
    years = [2018, 2019, 2026]
    svg = charts.line_chart(
        "历年",
        years,
        [("报名", [150, 148, 40])],
        partial={2026},
        partial_note="* 该年度尚未结束",
        gap_label="{start}–{end}年 无数据",
    )
    root = parse(svg)
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "2026* 40" in desc and "2020–2025年 无数据" in desc and "* 该年度尚未结束" in desc
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2026*" in texts and "* 该年度尚未结束" in texts
    # The x axis is true time: 2019 → 2026 spans seven times 2018 → 2019.
    cx = {c.find(f"{SVG}title").text.split()[0]: float(c.get("cx")) for c in root.iter(f"{SVG}circle")}  # type: ignore[union-attr]
    assert cx["2026*"] - cx["2019"] == pytest.approx(7 * (cx["2019"] - cx["2018"]), rel=0.01)
    # The finished years are one solid line; the unfinished year hangs on a dotted segment, hollow.
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 1 and len(polylines[0].get("points", "").split()) == 2
    dotted = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray") == "2 3"]
    assert len(dotted) == 0  # 2019 and 2026 are not neighbours: the gap is not bridged
    hollow = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "#fff"]
    assert len(hollow) == 1
    gap = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert gap and gap[0].find(f"{SVG}title").text == "2020–2025年 无数据"  # type: ignore[union-attr]


def test_a_run_ending_in_this_year_joins_it_with_a_dotted_segment() -> None:
    svg = charts.line_chart("历年", [2025, 2026], [("报名", [10, 3])], partial={2026})
    root = parse(svg)
    assert [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray") == "2 3"]
    assert not list(root.iter(f"{SVG}polyline"))


def test_nice_ceiling() -> None:
    assert [charts.nice_ceiling(v) for v in (0, 7, 10, 11, 180, 206, 2600)] == [1, 10, 10, 20, 200, 250, 5000]


def test_rates_roll_ups_and_funnel() -> None:
    assert rate(1, 0) is None and rate(1, 4) == 0.25
    assert percent(None) == "—" and percent(0.8375) == "83.8%"
    rows = [
        {
            "county": 1,
            "year": 2019,
            "registered": 3,
            "confirmed": 2,
            "attended": 2,
            "completed": 1,
            "hours": 9.0,
        },
        {
            "county": 1,
            "year": 2018,
            "registered": 1,
            "confirmed": 0,
            "attended": 0,
            "completed": 0,
            "hours": 0.0,
        },
        {
            "county": 2,
            "year": 2019,
            "registered": 2,
            "confirmed": 2,
            "attended": 1,
            "completed": 1,
            "hours": 3.0,
        },
    ]
    by_county = roll_up(rows, lambda r: r["county"])
    assert by_county[1]["registered"] == 4 and by_county[1]["completion_rate"] == 0.5
    t = total(rows)
    assert funnel(t) == [("registered", 6), ("confirmed", 4), ("attended", 3), ("completed", 2)]
    assert total([])["attendance_rate"] is None


def test_filters_from_query() -> None:
    f = filters_from_query(
        {"programme": "2", "from": "2014", "to": "2019", "county": "", "level": "primary", "subject": "语文"}
    )
    assert f == Filters(2, 2014, 2019, None, "primary", "语文")
    assert f.as_query() == {
        "programme": "2",
        "from": "2014",
        "to": "2019",
        "level": "primary",
        "subject": "语文",
    }
    with pytest.raises(ValidationFailed) as caught:
        filters_from_query({"from": "19", "county": "x", "level": "university"})
    assert caught.value.fields == {
        "from": "invalid_number",
        "county": "invalid_number",
        "level": "invalid_choice",
    }


def test_terminal_table_aligns_chinese() -> None:
    text = render_table("分县", ["县区", "报名"], [["剑阁县", "263"], ["平昌", "43"]], [False, True])
    lines = text.splitlines()
    assert lines[0] == "== 分县"
    assert [display_width(line) for line in lines[1:]] == [display_width(lines[2])] * 4
    assert lines[4].endswith(" 43")

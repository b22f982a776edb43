"""The dashboard as named tables (columns + rows): one definition feeds the page, CSV, XLSX and the CLI,
so an export can never disagree with what the page shows. Column titles are English msgids, translated when
rendered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from training.i18n import N_, gettext
from training.stats.figures import percent
from training.stats.service import Dashboard

# column kinds: text · int · hours · rate
Column = tuple[str, str, str]  # (key, English title, kind)

COUNT_COLUMNS: list[Column] = [
    ("registered", N_("Registered"), "int"),
    ("confirmed", N_("Confirmed participants"), "int"),
    ("attended", N_("Attended at least once"), "int"),
    ("completed", N_("Completed (certified)"), "int"),
    ("attendance_rate", N_("Attendance rate"), "rate"),
    ("completion_rate", N_("Completion rate"), "rate"),
    ("hours", N_("Training hours delivered"), "hours"),
]


@dataclass
class View:
    slug: str
    title: str  # English msgid
    columns: list[Column]
    rows: list[dict[str, Any]]

    def headers(self) -> list[str]:
        return [gettext(title) for _, title, _ in self.columns]

    def values(self) -> list[list[Any]]:
        return [[row.get(key) for key, _, _ in self.columns] for row in self.rows]

    def text_rows(self) -> list[list[str]]:
        """Values as shown on the page and in CSV (rates as percentages)."""
        return [[format_cell(row.get(key), kind) for key, _, kind in self.columns] for row in self.rows]


def format_cell(value: Any, kind: str) -> str:
    if value is None:
        return "—" if kind == "rate" else ""
    if kind == "rate":
        return percent(value)
    if kind == "hours":
        return f"{value:.1f}".removesuffix(".0") if float(value).is_integer() else f"{value:.1f}"
    return str(value)


VIEW_TITLES = {
    "headline": N_("Headline figures"),
    "counties": N_("By county"),
    "breakdown": N_("By county, year and programme"),
    "years": N_("By year"),
    "exchange": N_("Jiangsu exchange cohorts by sending county"),
}


def headline_rows(d: Dashboard) -> list[dict[str, Any]]:
    h = d.headline
    rows: list[dict[str, Any]] = [{"figure": gettext("Sessions held"), "value": h["sessions_held"]}]
    for pid, n in sorted(d.sessions_by_programme.items()):
        name = d.programmes.get(pid, {}).get("name", "")
        rows.append({"figure": f"{gettext('Sessions held')} · {name}", "value": n})
    rows += [
        {"figure": gettext("Teachers trained"), "value": h["teachers_trained"]},
        {"figure": gettext("Aided counties reached"), "value": h["aided_counties_reached"]},
        {"figure": gettext("Years of exchange cohorts"), "value": h["exchange_years"]},
        {"figure": gettext("Enrollments"), "value": h["enrollments"]},
        {"figure": gettext("Certificates (not revoked)"), "value": h["certificates"]},
        {"figure": gettext("Training hours delivered"), "value": h["hours"]},
    ]
    return rows


def build_views(d: Dashboard) -> list[View]:
    return [
        View(
            "headline",
            VIEW_TITLES["headline"],
            [("figure", N_("Figure"), "text"), ("value", N_("Value"), "hours")],
            headline_rows(d),
        ),
        View(
            "counties",
            VIEW_TITLES["counties"],
            [
                ("county_name", N_("County"), "text"),
                ("county_code", N_("Division code"), "text"),
                *COUNT_COLUMNS,
                ("trained", N_("Teachers trained"), "int"),
                ("returned", N_("Came back in a later year"), "int"),
            ],
            d.by_county,
        ),
        View(
            "breakdown",
            VIEW_TITLES["breakdown"],
            [
                ("county_name", N_("County"), "text"),
                ("year", N_("Year"), "int"),
                ("programme_name", N_("Programme"), "text"),
                *COUNT_COLUMNS,
            ],
            d.rows,
        ),
        View("years", VIEW_TITLES["years"], [("year", N_("Year"), "int"), *COUNT_COLUMNS], d.by_year),
        View(
            "exchange",
            VIEW_TITLES["exchange"],
            [
                ("county_name", N_("Sending county"), "text"),
                ("year", N_("Year"), "int"),
                ("registered", N_("Nominations"), "int"),
                ("confirmed", N_("Selected"), "int"),
                ("attended", N_("Attended at least once"), "int"),
                ("completed", N_("Completed (certified)"), "int"),
                ("completion_rate", N_("Completion rate"), "rate"),
                ("hours", N_("Training hours delivered"), "hours"),
            ],
            d.exchange,
        ),
    ]


def view_by_slug(d: Dashboard, slug: str) -> View | None:
    return next((v for v in build_views(d) if v.slug == slug), None)

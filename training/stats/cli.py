"""`training stats`: the dashboard's tables in the terminal (or as CSV), and `training stats rebuild`."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from training.config import Settings

VIEWS = ("headline", "counties", "breakdown", "years", "exchange")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def render_table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]
) -> str:
    """A plain-text table aligned for CJK (double-width) characters; numbers right-aligned."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, width, right in zip(cells, widths, numeric, strict=True):
            pad = " " * (width - display_width(cell))
            out.append(pad + cell if right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([f"== {title}", line(headers), rule, *(line(r) for r in rows)])


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("stats", help="participation statistics (the dashboard's tables)")
    parser.add_argument(
        "action",
        nargs="?",
        default="show",
        choices=["show", "rebuild", "fold"],
        help="show tables (default); rebuild the statistics tables from the base tables; fold cell deltas",
    )
    parser.add_argument("--view", choices=[*VIEWS, "all"], default="all")
    parser.add_argument("--programme", help="programme slug or id")
    parser.add_argument("--from", dest="year_from", type=int)
    parser.add_argument("--to", dest="year_to", type=int)
    parser.add_argument("--county", help="county division code (6 digits)")
    parser.add_argument("--level", help="school level: primary, junior, senior, kindergarten, ...")
    parser.add_argument("--subject")
    parser.add_argument("--csv", action="store_true", help="print CSV instead of aligned tables")
    parser.set_defaults(func=cmd_stats)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from training.cli import run_with_database

    return int(run_with_database(settings, lambda: _run(args)))


class _NotFound(Exception):
    """A programme or county named on the command line that the database does not hold."""


async def _id_of(missing: str, sql: str, *params: str) -> str:
    """The id the query finds; `missing` is the sentence when it finds none."""
    from training import db

    rows = await db.fetch(sql, *params)
    if not rows:
        raise _NotFound(missing)
    return str(rows[0]["id"])


async def _dashboard_query(args: argparse.Namespace) -> dict[str, str]:
    """The dashboard's query string from the command line (programme by slug or id, county by division code)."""
    query: dict[str, str] = {}
    if args.programme:
        query["programme"] = await _id_of(
            f"no programme {args.programme!r}",
            'SELECT id FROM "programme" WHERE slug = {} OR CAST(id AS VARCHAR(12)) = {}',
            args.programme,
            args.programme,
        )
    if args.county:
        query["county"] = await _id_of(
            f"no county with division code {args.county}",
            'SELECT id FROM "county" WHERE code = {}',
            args.county,
        )
    for key, value in (
        ("from", args.year_from),
        ("to", args.year_to),
        ("level", args.level),
        ("subject", args.subject),
    ):
        if value is not None:
            query[key] = str(value)
    return query


def _print_views(dashboard: Any, view_slug: str, csv: bool) -> None:
    from training.i18n import gettext
    from training.stats import exports
    from training.stats.views import build_views

    for view in build_views(dashboard):
        if view_slug not in ("all", view.slug):
            continue
        if csv:
            sys.stdout.write(exports.to_csv(view).decode("utf-8").removeprefix(exports.BOM))
        else:
            numeric = [kind != "text" for _, _, kind in view.columns]
            print(render_table(gettext(view.title), view.headers(), view.text_rows(), numeric))
            print()


async def _run(args: argparse.Namespace) -> int:
    from training.core.actor import Actor
    from training.errors import DomainError
    from training.stats import schema, service

    if args.action == "fold":
        await schema.fold()
        print("statistics deltas folded")
        return 0
    if args.action == "rebuild":
        n = await schema.rebuild()
        print(f"statistics rebuilt: {n} enrollments")
        return 0
    try:
        query = await _dashboard_query(args)
    except _NotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        filters = service.filters_from_query(query)
        dashboard = await service.dashboard(filters, Actor(0, "cli", "cli", "organiser"))
    except DomainError as exc:
        from training.cli import CliError, domain_sentence

        raise CliError(domain_sentence(exc)) from None
    _print_views(dashboard, args.view, args.csv)
    return 0

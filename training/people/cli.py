"""`training counties import FILE.csv`: load or update the county list from a CSV of division codes."""

from __future__ import annotations

import argparse
from typing import Any

from training.config import Settings


def cmd_counties(args: argparse.Namespace, settings: Settings) -> int:
    from training.cli import read_input_file, run_with_database
    from training.errors import ValidationFailed
    from training.i18n import language, message_for
    from training.people import places

    data = read_input_file(args.file)

    async def work() -> int:
        try:
            result = await places.import_counties(None, data)
        except ValidationFailed as exc:
            with language("en"):
                for problem in exc.params.get("problems", []) or [
                    {"code": exc.fields.get("file", ""), "line": 0, "value": ""}
                ]:
                    print(
                        message_for(
                            problem["code"],
                            line=problem["line"],
                            value=problem["value"],
                            official=problem.get("official", ""),
                        )
                    )
            print("nothing was imported")
            return 1
        print(f"counties: {result.created} new, {result.updated} updated, {result.unchanged} unchanged")
        return 0

    return int(run_with_database(settings, work))


def register(sub: Any) -> None:
    counties = sub.add_parser("counties", help="the county list (GB/T 2260 division codes)")
    counties_sub = counties.add_subparsers(dest="counties_command", required=True)
    importer = counties_sub.add_parser(
        "import", help="add or update counties from a CSV file (all or nothing)"
    )
    importer.add_argument("file", help="CSV: code,name[,prefecture[,province]] or with a header line")
    importer.set_defaults(func=cmd_counties)

"""`training badges`: print a session's name badges (QR + manual code) to a PDF file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from training.config import Settings


def cmd_badges(args: argparse.Namespace, settings: Settings) -> int:
    from training.checkin import badges, service
    from training.cli import run_with_database

    async def work() -> tuple[str, list[dict[str, Any]]]:
        return await service.badge_people(args.session)

    title, people = run_with_database(settings, work)
    Path(args.out).write_bytes(badges.badge_sheets_pdf(title, people))
    print(f"{len(people)} badges for {title} written to {args.out}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("badges", help="print a session's name badges with QR codes to a PDF")
    parser.add_argument("--session", type=int, required=True, help="session id")
    parser.add_argument("--out", default="badges.pdf")
    parser.set_defaults(func=cmd_badges)

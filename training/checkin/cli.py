"""`training badges`: print a session's name badges (QR + manual code) to a PDF file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from training.config import Settings


def badges_path(args: argparse.Namespace, settings: Settings) -> Path:
    """--output if given, else the data folder (never the current directory, which may be anything)."""
    if args.output:
        return Path(args.output)
    return settings.data_dir / "badges" / f"session-{args.session}-badges.pdf"


def cmd_badges(args: argparse.Namespace, settings: Settings) -> int:
    from training.checkin import badges, rosters
    from training.cli import CliError, require_session, run_with_database

    async def work() -> tuple[str, list[rosters.BadgePerson]]:
        await require_session(args.session)
        return await rosters.badge_people(args.session)

    title, people = run_with_database(settings, work)
    out = badges_path(args, settings)
    if out.is_dir():
        raise CliError(f"{str(out)!r} is a folder: give --output a file name ending in .pdf")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(badges.badge_sheets_pdf(title, people))
    except OSError as exc:
        raise CliError(f"cannot write {str(out)!r} ({exc.strerror}): choose another --output") from None
    print(f"{len(people)} badges for {title} written to {out}")
    return 0


def cmd_replace_code(args: argparse.Namespace, settings: Settings) -> int:
    from training.checkin.reissue import replace_code
    from training.cli import run_with_database

    async def work() -> str:
        return await replace_code(args.enrollment, None, args.reason)

    token = run_with_database(settings, work)
    print(f"enrollment {args.enrollment}: new check-in code {token}; the old one no longer checks in")
    return 0


def register(subparsers: Any) -> None:
    replace = subparsers.add_parser(
        "replace-qr", help="give an enrollment a new QR code (the old one stops checking in; audited)"
    )
    replace.add_argument("enrollment", type=int, help="enrollment id")
    replace.add_argument("--reason", required=True, help="why (kept in the audit log)")
    replace.set_defaults(func=cmd_replace_code)

    parser = subparsers.add_parser("badges", help="print a session's name badges with QR codes to a PDF")
    parser.add_argument("--session", type=int, required=True, help="session id")
    parser.add_argument(
        "--output",
        "--out",
        dest="output",
        help="PDF file to write (default: DATA_DIR/badges/session-N-badges.pdf)",
    )
    parser.set_defaults(func=cmd_badges)

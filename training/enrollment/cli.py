"""`training enrollment import`: the bulk import from the command line (dry run unless --commit)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from training.config import Settings


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from training.cli import read_input_file, require_session, run_with_database
    from training.enrollment import importing
    from training.enrollment.rules import MAX_LENGTHS
    from training.i18n import language, message_for

    path = Path(args.file)
    data = read_input_file(args.file)

    async def work() -> Any:
        await require_session(args.session)
        if args.commit:
            return await importing.run(
                args.session,
                path.name,
                data,
                base_url=settings.base_url,
                actor=None,
                override_reason=args.override_reason,
                apply_changes=args.apply_changes,
            )
        return await importing.preview(args.session, path.name, data, override_reason=args.override_reason)

    try:
        result = run_with_database(settings, work)
    except importing.ImportRefused as exc:
        with language(args.lang):
            print(message_for(exc.code, **exc.params))
        return 1
    with language(args.lang):
        for row in result.rows:
            problems = "; ".join(
                f"{field}: {message_for(code, max=MAX_LENGTHS.get(field, ''))}"
                for field, code in row.errors.items()
            )
            teacher = {
                "new": "new teacher",
                "unchanged": "on file, unchanged",
                "changes": "on file, changes",
                "conflict": "conflict",
            }.get(row.teacher, "")
            if row.applied:
                teacher += " (applied)"
            print(
                f"row {row.line:>5}  {row.action:<10} {teacher:<24} {row.values.get('name', '')}  {problems}"
            )
            for name, (old, new) in row.changes.items():
                print(f"             {name}: {old} -> {new}")
    pending = "" if args.apply_changes or not args.commit else ", left pending for confirmation"
    print(
        f"{'imported' if args.commit else 'dry run'}: {len(result.rows)} rows, {len(result.error_rows)} with errors, "
        f"{len(result.existing_rows)} already enrolled; teachers: {len(result.teacher_rows('new'))} new, "
        f"{len(result.teacher_rows('unchanged'))} on file unchanged, {len(result.teacher_rows('changes'))} on file "
        f"with changes{pending}, {len(result.teacher_rows('conflict'))} conflicts"
    )
    return 1 if result.error_rows else 0


def register(sub: Any) -> None:
    enrollment = sub.add_parser("enrollment", help="registrations: bulk import")
    commands = enrollment.add_subparsers(dest="enrollment_command", required=True)
    imp = commands.add_parser(
        "import", help="import an .xlsx/.csv list into a session (dry run unless --commit)"
    )
    imp.add_argument("--session", type=int, required=True, help="session id")
    imp.add_argument("file", help="the .xlsx or .csv file (Chinese column headers, see docs/enrollment.md)")
    imp.add_argument("--commit", action="store_true", help="write the valid rows (default: only check)")
    imp.add_argument(
        "--override-reason",
        default="",
        help="import although the session is closed, outside its window or past its deadline (audited)",
    )
    imp.add_argument(
        "--apply-changes",
        action="store_true",
        help="with --commit: write what rows say differently about teachers on file to their records (audited); "
        "without it those differences wait as pending changes",
    )
    imp.add_argument("--lang", default="zh_Hans", choices=["zh_Hans", "en"], help="language of the messages")
    imp.set_defaults(func=cmd_import)

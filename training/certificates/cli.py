"""`training certificates ...`: issue a session's certificates from the command line (all cores, resumable)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from training.certificates.states import BatchStage
from training.config import Settings


class ProgressBar:
    """A one-line bar on stderr: numbering, then rendering and mailing."""

    def __init__(self, stream: Any = sys.stderr, width: int = 32) -> None:
        self.stream = stream
        self.width = width
        self.started = self.last = time.perf_counter()
        self.stage: BatchStage | None = None

    def __call__(self, stage: BatchStage, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != self.stage:
            if self.stage:
                self.stream.write("\n")
                self.started = self.last  # this stage's work began when the previous one ended
            self.stage = stage
        self.last = now
        filled = int(self.width * done / total) if total else self.width
        rate = done / max(now - self.started, 1e-6)
        label = {BatchStage.CLAIM: "numbering", BatchStage.RENDER: "rendering"}.get(stage, str(stage))
        self.stream.write(
            f"\r{label:<10} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}  {rate:.1f}/s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.stage:
            self.stream.write("\n")
            self.stream.flush()


def cmd_issue(args: argparse.Namespace, settings: Settings) -> int:
    from training.certificates import batch
    from training.cli import require_session, run_with_database
    from training.errors import ValidationFailed

    bar = ProgressBar() if not args.quiet else None

    async def work() -> batch.BatchReport:
        await require_session(args.session)
        return await batch.issue_session(
            args.session, settings, workers=args.workers, progress=bar, early_reason=args.early_reason
        )

    try:
        report = run_with_database(settings, work)
    except ValidationFailed as exc:
        if bar:
            bar.close()
            bar = None
        if exc.fields.get("early_reason") == "certificates_too_early":
            print(
                f"error: the session's last block ends at {exc.params['opens_at']} (Asia/Shanghai); "
                'issue after that, or now as an exception with --early-reason "why"',
                file=sys.stderr,
            )
        else:
            print(f"error: {exc.code} {exc.fields}", file=sys.stderr)
        return 2
    except batch.StorageError as exc:
        if bar:
            bar.close()
            bar = None
        print(
            f"error: {exc}; free some space and run again to finish (nothing is half-recorded)",
            file=sys.stderr,
        )
        return 1
    finally:
        if bar:
            bar.close()
    print(report.summary())
    for name, chars in report.missing_glyphs.items():
        print(f"warning: the font has no glyph for {''.join(chars)!r} in {name!r}", file=sys.stderr)
    return 0


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from training.certificates import batch, revoking
    from training.cli import CliError, domain_sentence, run_with_database
    from training.errors import DomainError, NotFound

    async def work() -> Any:
        if args.certificates_command == "revoke":
            return await revoking.revoke(args.serial, args.reason, None)
        return await batch.reissue_and_render(args.serial, args.reason, None, settings)

    try:
        cert = run_with_database(settings, work)
    except NotFound:
        raise CliError(
            f"there is no certificate {args.serial!r}: check the serial on the certificate"
        ) from None
    except DomainError as exc:
        raise CliError(domain_sentence(exc)) from None
    print(f"{args.certificates_command}: {cert.serial} (revision {cert.revision})")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("certificates", help="completion certificates")
    sub = parser.add_subparsers(dest="certificates_command", required=True)
    issue = sub.add_parser("issue", help="issue, render and mail a session's certificates (resumable)")
    issue.add_argument("--session", type=int, required=True, help="session id")
    issue.add_argument("--workers", type=int, default=None, help="render processes (default: all CPU cores)")
    issue.add_argument("--quiet", action="store_true", help="no progress bar")
    issue.add_argument(
        "--early-reason",
        default="",
        help="issue before the session's last block has ended: the organiser's reason (kept in the audit log)",
    )
    issue.set_defaults(func=cmd_issue)
    for name, text in (("revoke", "revoke a certificate"), ("reissue", "re-issue a revoked certificate")):
        command = sub.add_parser(name, help=text)
        command.add_argument("serial")
        command.add_argument("--reason", required=True, help="why (kept in the audit log)")
        command.set_defaults(func=cmd_revoke)

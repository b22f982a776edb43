"""`training logins blocked|unblock`: the wrong-password throttle (training/accounts/throttle.py) for organisers."""

from __future__ import annotations

import argparse
from typing import Any

from training.config import Settings


def register(subparsers: Any) -> None:
    logins = subparsers.add_parser("logins", help="log-ins held back after wrong passwords")
    logins_sub = logins.add_subparsers(dest="logins_command", required=True)
    blocked = logins_sub.add_parser(
        "blocked", help="user names and addresses that failed past the free tries"
    )
    blocked.set_defaults(func=cmd_logins)
    unblock = logins_sub.add_parser(
        "unblock", help="let a user try again at once, from every address (audited)"
    )
    unblock.add_argument("username")
    unblock.set_defaults(func=cmd_logins)


def cmd_logins(args: argparse.Namespace, settings: Settings) -> int:
    from training.accounts import throttle
    from training.audit.writer import record
    from training.cli import run_with_database

    async def work() -> int:
        if args.logins_command == "blocked":
            rows = await throttle.blocks()
            if not rows:
                print("no log-in is held back")
            for row in rows:
                wait = f"waits {row.wait_s} s" if row.wait_s else "may try now"
                print(f"{row.username:<20} {row.address_hint:<22} {row.failures:>4} wrong  {wait}")
            return 0
        cleared = await throttle.unblock(args.username)
        await record(None, "unblock_login", "staff_user", args.username.strip().lower(), {"pairs": cleared})
        print(f"{args.username}: {cleared} held-back address(es) cleared")
        return 0

    return int(run_with_database(settings, work))

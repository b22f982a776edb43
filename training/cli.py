"""The `training` command: serve, migrate, demo, worker, users, and what each domain adds."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import importlib.util
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from training.config import ConfigError, Settings, load_settings

# Domains may add sub-commands by providing `training/<domain>/cli.py` with register(subparsers).
DOMAIN_CLI_MODULES = (
    "training.enrollment.cli",
    "training.checkin.cli",
    "training.certificates.cli",
    "training.stats.cli",
    "training.mail.cli",
    "training.people.cli",
    "training.programmes.cli",
)


def run_with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    """Bind the configured engine, run `work`, close the pool."""
    from training import db, keys

    keys.configure(settings.secret_key)

    async def runner() -> Any:
        engine = db.make_engine(settings)
        db.use_engine(engine)
        await db.start(engine, settings)
        try:
            return await work()
        finally:
            await db.stop(engine)

    return asyncio.run(runner())


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from training import db

    run_with_database(settings, lambda: db.migrate(quiet=args.quiet))
    print("migrations applied")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if not args.no_migrate:
        cmd_migrate(argparse.Namespace(quiet=True), settings)
    if args.demo:
        cmd_demo(argparse.Namespace(teachers=None, seed=2019, quiet=False), settings)
    print(
        f"serving on http://{args.host}:{args.port}  (database: {'SQLite' if settings.is_sqlite else 'PostgreSQL'})"
    )
    uvicorn.run(
        "training.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        access_log=args.access_log,
    )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from training import db
    from training.demo import load_demo

    async def work() -> Any:
        await db.migrate(quiet=True)
        return await load_demo(seed=args.seed, teacher_count=args.teachers, settings=settings)

    summary = run_with_database(settings, work)
    if not args.quiet:
        print(summary.render())
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("TRAINING_NEW_PASSWORD"):
        return os.environ["TRAINING_NEW_PASSWORD"]
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("passwords do not match")
    return first


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from training.accounts import service
    from training.accounts.tables import StaffUser
    from training.errors import DomainError
    from training.people.tables import County

    async def work() -> int:
        if args.users_command == "list":
            users = await StaffUser.select(
                StaffUser.username,
                StaffUser.role,
                StaffUser.display_name,
                StaffUser.county.name,
                StaffUser.active,
            ).order_by(StaffUser.username)
            for u in users:
                print(f"{u['username']:<20} {u['role']:<12} {u['county.name'] or '':<10} {u['display_name']}")
            return 0
        password = _read_password(args)
        try:
            if args.users_command == "create":
                county_id = None
                if args.county:
                    county = await County.select(County.id).where(County.code == args.county).first()
                    if county is None:
                        print(f"error: no county with division code {args.county}", file=sys.stderr)
                        return 2
                    county_id = county["id"]
                await service.create_user(args.username, password, args.role, args.name or "", county_id)
                print(f"created {args.role} {args.username}")
            else:
                await service.set_password(args.username, password)
                print(f"password changed for {args.username}")
        except DomainError as exc:
            print(f"error: {exc.code} {exc.fields}", file=sys.stderr)
            return 2
        return 0

    return int(run_with_database(settings, work))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="training", description="Teacher-training programmes service.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations and serve HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    serve.add_argument("--demo", action="store_true", help="load the demo data before serving")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--quiet", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demo data (idempotent, deterministic)")
    demo.add_argument(
        "--teachers", type=int, default=None, help="number of fictitious teachers (default 1200)"
    )
    demo.add_argument("--seed", type=int, default=2019)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="staff accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["organiser", "coordinator", "staff"])
    create.add_argument("--county", help="division code (coordinators)")
    create.add_argument("--name", help="display name")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(func=cmd_users)
    passwd = users_sub.add_parser("set-password", help="change a password (ends the user's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=cmd_users)
    listing = users_sub.add_parser("list", help="list staff accounts")
    listing.set_defaults(func=cmd_users)

    for name in DOMAIN_CLI_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    raise SystemExit(args.func(args, settings))

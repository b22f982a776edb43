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
from pathlib import Path
from typing import Any

from training.config import ConfigError, Settings, load_settings
from training.files import private_dir, private_umask

# Domains may add sub-commands by providing `training/<domain>/cli.py` with register(subparsers); `training worker`
# is training/worker.py.
DOMAIN_CLI_MODULES = (
    "training.accounts.cli",
    "training.enrollment.cli",
    "training.checkin.cli",
    "training.certificates.cli",
    "training.stats.cli",
    "training.worker",
    "training.people.cli",
)


class CliError(Exception):
    """A user mistake: printed as one sentence saying what is wrong and what to do; exit status 1."""


def domain_sentence(exc: BaseException) -> str:
    """A domain error as English text (the messages the forms show), with the fields it names."""
    from training.i18n import language, message_for

    code = getattr(exc, "code", str(exc))
    fields: dict[str, str] = getattr(exc, "fields", {}) or {}
    params: dict[str, Any] = getattr(exc, "params", {}) or {}
    with language("en"):
        if fields:
            return "; ".join(f"{name}: {message_for(reason, **params)}" for name, reason in fields.items())
        return message_for(code, **params)


def _not_migrated(exc: BaseException) -> bool:
    """SQLite's "no such table" or PostgreSQL's undefined_table: the schema is not there yet."""
    while exc is not None:
        if "no such table" in str(exc) or type(exc).__name__ == "UndefinedTableError":
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def explain(exc: BaseException, settings: Settings | None = None) -> str | None:
    """The one sentence for a mistake the user can fix, or None for a real fault (which keeps its traceback)."""
    from training.errors import DomainError

    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, DomainError):
        return domain_sentence(exc)
    if _not_migrated(exc):
        return "the database has no tables yet: run `training migrate` first"
    if isinstance(exc, ConnectionRefusedError | TimeoutError) or type(exc).__name__ in (
        "CannotConnectNowError",
        "InvalidCatalogNameError",
        "InvalidAuthorizationSpecificationError",
    ):
        where = settings.database_url.split("@")[-1] if settings else "the configured database"
        return f"cannot reach the database ({where}): is it running, and is TRAINING_DATABASE_URL right?"
    return None


def read_input_file(path: str) -> bytes:
    """An input file's bytes, or a CliError naming the file and the problem."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CliError(f"there is no file {path!r}: check the path and try again") from None
    except IsADirectoryError:
        raise CliError(f"{path!r} is a folder: name the file inside it") from None
    except PermissionError:
        raise CliError(f"cannot read {path!r}: permission denied") from None


async def require_session(session_id: int) -> str:
    """The session's title, or a CliError telling how to find a session's number."""
    from training import db

    rows = await db.fetch('SELECT title FROM "training_session" WHERE id = {}', session_id)
    if not rows:
        raise CliError(
            f"there is no session {session_id}: a session's number is the one in its page address "
            "(/admin/sessions/N)"
        )
    return str(rows[0]["title"])


def run_with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    """Bind the configured engine, run `work`, close the pool."""
    from training import db, keys, wiring

    keys.configure(settings.secret_key)
    wiring.install()

    async def runner() -> Any:
        private_dir(settings.data_dir)
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

    try:
        run_with_database(settings, lambda: db.migrate(quiet=args.quiet))
    except Exception as exc:
        reason = explain(exc, settings) or migration_failure(exc)
        print(f"error: {reason}", file=sys.stderr, flush=True)
        sys.stdout.flush()
        # A transaction that failed to commit (a full disk) leaves its SQLite connection's worker thread behind,
        # and the interpreter would wait for that thread for ever at exit.
        os._exit(1)
    print("migrations applied")
    return 0


def migration_failure(exc: BaseException) -> str:
    """One line for a migration that could not finish (each migration is one transaction: the ones before it
    stay applied, the failed one is rolled back)."""
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    if "disk is full" in detail or "No space left" in detail or "DiskFull" in type(exc).__name__:
        return f"migration stopped: the disk is full ({detail}); free some space and run `training migrate` again"
    return f"migration failed: {type(exc).__name__}: {detail}"


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if not args.no_migrate:
        cmd_migrate(argparse.Namespace(quiet=True), settings)
    if args.demo:
        try:
            cmd_demo(argparse.Namespace(teachers=None, seed=2019, quiet=False), settings)
        except CliError as exc:  # a database with data of its own is served as it is
            print(f"demo not loaded: {exc}", file=sys.stderr)
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
        # X-Forwarded-For is read by the app, and only from proxies named in TRAINING_TRUSTED_PROXIES
        # (training/web/context.py): uvicorn's own handling believes any loopback client.
        proxy_headers=False,
        access_log=args.access_log,
    )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from training import db
    from training.demo import DemoRefused, load_demo

    if args.teachers is not None and args.teachers < 0:
        raise CliError("--teachers must be 0 or more")

    async def work() -> Any:
        await db.migrate(quiet=True)
        return await load_demo(seed=args.seed, teacher_count=args.teachers, settings=settings)

    try:
        summary = run_with_database(settings, work)
    except DemoRefused as exc:
        raise CliError(str(exc)) from None
    if not args.quiet:
        print(summary.render())
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("TRAINING_NEW_PASSWORD"):
        return os.environ["TRAINING_NEW_PASSWORD"]
    if not sys.stdin.isatty():
        raise CliError(
            "there is no terminal to ask for the password: pipe it in with --password-stdin "
            "or set TRAINING_NEW_PASSWORD"
        )
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CliError("the two passwords differ: run the command again and type the same password twice")
    return first


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from training.accounts import service
    from training.accounts.tables import StaffUser
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
        county_id = None
        if args.users_command == "create" and args.county:
            county = await County.select(County.id).where(County.code == args.county).first()
            if county is None:
                raise CliError(
                    f"there is no county with division code {args.county}: "
                    "add it first (training counties import FILE.csv)"
                )
            county_id = county["id"]
        elif args.users_command == "set-password" and not await StaffUser.exists().where(
            StaffUser.username == args.username
        ):
            raise CliError(f"there is no staff account {args.username!r}: see `training users list`")
        password = _read_password(args)
        if args.users_command == "create":
            await service.create_user(
                args.username, password, args.role, args.name or "", county_id, host_city=args.host_city or ""
            )
            print(f"created {args.role} {args.username}")
        else:
            await service.set_password(args.username, password)
            print(f"password changed for {args.username}")
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

    demo = sub.add_parser(
        "demo",
        help="load the demo data (once; reuses existing counties, refuses a database with programmes or teachers)",
    )
    demo.add_argument(
        "--teachers",
        type=int,
        default=None,
        help="number of fictitious teachers (default: as many as the history needs, about 1,170)",
    )
    demo.add_argument("--seed", type=int, default=2019)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="staff accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["organiser", "coordinator", "staff", "host"])
    create.add_argument("--county", help="division code (coordinators)")
    create.add_argument(
        "--host-city", help="the host city, as sessions name it, e.g. 南通市 (host coordinators)"
    )
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
    private_umask()  # the key, the database, uploads and PDFs are created 0600 in 0700 directories
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.func.__name__ not in ("cmd_serve", "cmd_worker"):
        from training.audit.writer import mark_command_line

        mark_command_line()  # audit entries of this command are the command line's, not "system"
    try:
        status = args.func(args, settings)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BrokenPipeError:  # `training demo | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except Exception as exc:
        sentence = explain(exc, settings)
        if sentence is None:
            raise
        print(f"error: {sentence}", file=sys.stderr)
        raise SystemExit(1) from None
    raise SystemExit(status)

"""Soak: a real `training serve` with the demo data under steady mixed traffic; errors and memory growth.

It migrates a fresh database (a temporary SQLite file by default; with --database-url postgresql://… a fresh
database is created on that server and dropped afterwards), loads the demo data, adds a session running today
with one block and 300 confirmed demo teachers (so that scans have valid codes to scan), starts the server with
its mail worker delivering to an in-process aiosmtpd sink, logs in the demo organiser and scanner accounts, then
for --seconds runs this mix with --concurrency workers paced to --rate requests/s in total:

  register   POST /sessions/{open}/register (the public form, CSRF token included), a new teacher each time
  scan       POST /api/v1/checkin/redeem with a valid QR token of today's block (ok / already_checked_in)
  public     GET /, /sessions, /sessions/{open}/register
  organiser  GET /admin, the open session's page and roster, today's check-in dashboard, the calendar

It prints requests, throughput and latency per kind, the error count (any transport error, unexpected status,
or a scan answered other than ok/already_checked_in) with samples, mails delivered, and the server process's
resident memory (VmRSS from /proc/<pid>/status) when idle, after the warm-up (--warmup seconds, default a tenth
of the run, at most 60 s) and at the end. Growth is measured from the warm-up to the end: the first requests
compile templates and fill per-process caches once, which is not a leak. Exit status 1 on any error or on growth
above --max-growth percent (default 10).

    python bench/soak.py                       # SQLite, 600 s
    python bench/soak.py --seconds 60 --rate 50
    python bench/soak.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

import httpx  # noqa: E402

from bench.common import free_port  # noqa: E402
from tests.kit.world import required_answers  # noqa: E402
from training import db, keys  # noqa: E402
from training.config import Settings  # noqa: E402
from training.core.codes import new_manual_code  # noqa: E402
from training.core.tokens import make_token  # noqa: E402
from training.enrollment.tables import Enrollment  # noqa: E402
from training.people.identity import check_digit  # noqa: E402
from training.people.tables import County, Teacher  # noqa: E402
from training.programmes.states import RegistrationMode, SessionStatus  # noqa: E402
from training.programmes.tables import Block, TrainingSession  # noqa: E402

SECRET = "soak-secret-" + "s" * 40
LOCAL = ZoneInfo("Asia/Shanghai")
ORGANISER = ("organiser", "training-2019-org")  # the demo accounts (training/demo.py)
SCANNER = ("scanner", "checkin-2019-site")
WEIGHTS = {"register": 15, "scan": 45, "public": 25, "organiser": 15}
SCAN_OK = {"ok", "already_checked_in"}


# ---------------------------------------------------------------------------------------------------------------
# Database: fresh, migrated, demo data, plus a session running today.


async def _pg_admin(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _cli(url: str, data_dir: Path, *args: str) -> None:
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": url,
        "TRAINING_SECRET_KEY": SECRET,
        "TRAINING_DATA_DIR": str(data_dir),
    }
    subprocess.run(
        [sys.executable, "-m", "training", *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )


@dataclass
class World:
    open_session: int
    county_id: int
    county_code: str
    school: str
    today_session: int
    block: int
    tokens: list[str]
    answers: dict[str, str]  # the open session's required questions, answered (the demo asks some)


async def prepare_today(url: str, scanned: int = 300) -> World:
    """A session running today with one all-day block and `scanned` confirmed demo teachers."""
    settings = Settings(database_url=url, secret_key=SECRET)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    keys.configure(SECRET)
    await db.start(engine, settings)
    try:
        open_row = (
            await TrainingSession.select(TrainingSession.id, TrainingSession.programme)
            .where(TrainingSession.status == "published")
            .where(TrainingSession.mode == "open")
            .first()
        )
        assert open_row is not None, "the demo data has no open session"
        county = await County.select(County.id, County.code).where(County.code == "510823").first()
        assert county is not None
        today = datetime.now(UTC).astimezone(LOCAL).date()
        session = (
            await TrainingSession.insert(
                TrainingSession(
                    programme=open_row["programme"],
                    year=today.year,
                    title="耐久测试班",
                    starts_on=today,
                    ends_on=today,
                    capacity=scanned,
                    mode=RegistrationMode.NOMINATION,  # scans only: teachers cannot register for it online
                    status=SessionStatus.PUBLISHED,
                )
            )
        )[0]["id"]
        block = (
            await Block.insert(
                Block(
                    session=session, day=today, starts_at=dtime(0, 0), ends_at=dtime(23, 59), topic="耐久测试"
                )
            )
        )[0]["id"]
        teachers = await Teacher.select(Teacher.id, Teacher.county).order_by(Teacher.id).limit(scanned)
        rng = random.Random(11)
        taken = {r["manual_code"] for r in await Enrollment.select(Enrollment.manual_code)}
        rows = []
        for t in teachers:
            code = new_manual_code(rng)
            while code in taken:
                code = new_manual_code(rng)
            taken.add(code)
            rows.append(
                Enrollment(
                    session=session, teacher=t["id"], county=t["county"], status="confirmed", manual_code=code
                )
            )
        ids = [int(r["id"]) for r in await Enrollment.insert(*rows)]
        return World(
            open_session=int(open_row["id"]),
            county_id=int(county["id"]),
            county_code=str(county["code"]),
            school="剑阁县实验小学",
            today_session=int(session),
            block=int(block),
            tokens=[make_token(keys.current().qr_token, e) for e in ids],
            answers=await required_answers(int(open_row["id"])),
        )
    finally:
        await db.stop(engine)


# ---------------------------------------------------------------------------------------------------------------
# The server, a mail sink, memory.


class MailSink:
    """aiosmtpd on loopback that only counts what it receives (the server's mail worker sends here)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self._lock = threading.Lock()
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                with sink._lock:
                    sink.count += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


def start_server(
    url: str, port: int, data_dir: Path, smtp_port: int, log_path: Path, mail: bool = True
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": url,
        "TRAINING_SECRET_KEY": SECRET,
        "TRAINING_DATA_DIR": str(data_dir),
        "TRAINING_BASE_URL": f"http://127.0.0.1:{port}",
        "TRAINING_MAIL_WORKER": "true" if mail else "false",
        "TRAINING_SMTP_HOST": "127.0.0.1",
        "TRAINING_SMTP_PORT": str(smtp_port),
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    cmd = [
        sys.executable,
        "-m",
        "training",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-migrate",
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited:\n" + log_path.read_text(errors="replace"))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start:\n" + log_path.read_text(errors="replace"))


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB, from /proc (psutil is not installed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# ---------------------------------------------------------------------------------------------------------------
# Traffic


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    scan_statuses: Counter[str] = field(default_factory=Counter)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # a heap: the 8 slowest requests

    def timed(self, kind: str, seconds: float, what: str) -> None:
        self.latencies[kind].append(seconds)
        entry = (seconds, kind, what)
        if len(self.slowest) < 8:
            heapq.heappush(self.slowest, entry)
        elif entry > self.slowest[0]:
            heapq.heapreplace(self.slowest, entry)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {what}")


# uvicorn closes a keep-alive connection after 5 idle seconds; a request sent on it at that instant fails with
# ReadError (browsers retry those silently, httpx does not). Dropping idle connections first avoids the race.
LIMITS = httpx.Limits(keepalive_expiry=2.0)


def _client(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=30.0, follow_redirects=False, limits=LIMITS)


def _csrf(client: httpx.AsyncClient) -> str:
    return str(client.cookies.get("csrftoken") or "")


async def log_in(base: str, username: str, password: str) -> httpx.AsyncClient:
    client = _client(base)
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": _csrf(client)}
    )
    if response.status_code != 302:
        raise RuntimeError(f"log-in of {username} failed: {response.status_code}")
    return client


def id_number(county_code: str, n: int) -> tuple[str, str]:
    """A distinct, valid (checksum) ID-card number per n, and the gender it encodes."""
    born = date(1970, 1, 1) + timedelta(days=(n // 1000) % 9000)  # 1970–1994
    seq = f"{n % 1000:03d}"
    first17 = f"{county_code}{born:%Y%m%d}{seq}"
    return first17 + check_digit(first17), ("male" if int(seq[-1]) % 2 else "female")


class Traffic:
    def __init__(self, base: str, world: World, stats: Stats, seed: int) -> None:
        self.base = base
        self.world = world
        self.stats = stats
        self.rng = random.Random(seed)
        self.serial = (seed % 60) * 100_000  # registrations: distinct people up to 100,000 a run
        self.public = _client(base)
        self.organiser: httpx.AsyncClient | None = None
        self.scanner: httpx.AsyncClient | None = None
        self.server_pid = 0
        self.rss_trend: list[tuple[float, int]] = []

    async def start(self) -> None:
        self.organiser = await log_in(self.base, *ORGANISER)
        self.scanner = await log_in(self.base, *SCANNER)
        await self.public.get("/sessions")  # the CSRF cookie

    async def close(self) -> None:
        for client in (self.public, self.organiser, self.scanner):
            if client is not None:
                await client.aclose()

    async def register(self) -> tuple[bool, str]:
        self.serial += 1
        n = self.serial
        number, gender = id_number(self.world.county_code, n)
        form = {
            "name": f"耐久{n % 100000}",
            "id_number": number,
            "gender": gender,
            "ethnicity": "汉族",
            "phone": f"137{n % 10**8:08d}",
            "email": f"soak{n}@example.org",
            "county": str(self.world.county_id),
            "school": self.world.school,
            "subject": "语文",
            "grade_band": "primary",
            "title": "一级教师",
            "years_teaching": "9",
            "consent": "1",
            **self.world.answers,
            "_csrf_token": _csrf(self.public),
        }
        response = await self.public.post(f"/sessions/{self.world.open_session}/register", data=form)
        location = response.headers.get("location", "")
        if response.status_code in (302, 303) and "/me/" in location:
            return True, "registration"
        fields = re.findall(r'id="e-([a-z_]+)"[^>]*>([^<]*)', response.text)
        return False, f"{response.status_code} {location} {fields or response.text[:200]}"

    async def scan(self) -> tuple[bool, str]:
        assert self.scanner is not None
        body = {
            "code": self.rng.choice(self.world.tokens),
            "block_id": self.world.block,
            "client_id": uuid.uuid4().hex,
            "device_id": "soak",
        }
        response = await self.scanner.post(
            "/api/v1/checkin/redeem", json=body, headers={"x-csrftoken": _csrf(self.scanner)}
        )
        if response.status_code != 200:
            return False, f"{response.status_code} {response.text[:200]}"
        status = str(response.json().get("status"))
        self.stats.scan_statuses[status] += 1
        return status in SCAN_OK, f"scan answered {status}"

    async def public_page(self) -> tuple[bool, str]:
        path = self.rng.choice(["/", "/sessions", f"/sessions/{self.world.open_session}/register"])
        response = await self.public.get(path)
        return response.status_code == 200, f"{response.status_code} {path}"

    async def organiser_page(self) -> tuple[bool, str]:
        assert self.organiser is not None
        s = self.world.open_session
        path = self.rng.choice(
            [
                "/admin",
                f"/admin/sessions/{s}",
                f"/admin/enrollment/sessions/{s}",
                f"/checkin/dashboard?block={self.world.block}",
                "/admin/calendar",
            ]
        )
        response = await self.organiser.get(path)
        return response.status_code == 200, f"{response.status_code} {path}"


@dataclass
class Pacer:
    """Hands out request slots `interval` seconds apart to every worker (interval 0: as fast as possible) until
    the deadline."""

    deadline: float
    interval: float
    next_slot: float

    async def wait(self) -> bool:
        """Sleep until the caller's slot; False once the time is up."""
        now = time.monotonic()
        if now >= self.deadline:
            return False
        if self.interval:
            slot = self.next_slot = max(self.next_slot + self.interval, now - 1.0)
            if slot > now:
                await asyncio.sleep(slot - now)
        return time.monotonic() < self.deadline


METHODS = {"register": "register", "scan": "scan", "public": "public_page", "organiser": "organiser_page"}


async def _one_request(traffic: Traffic, kind: str) -> None:
    """One request of this kind, timed; a transport error counts as a failed request."""
    started_at = time.perf_counter()
    try:
        ok, what = await getattr(traffic, METHODS[kind])()
    except httpx.HTTPError as exc:
        ok, what = False, f"{type(exc).__name__}: {exc}"
    traffic.stats.timed(kind, time.perf_counter() - started_at, what)
    if not ok:
        traffic.stats.error(kind, what)


async def _worker(traffic: Traffic, pacer: Pacer, rng: random.Random) -> None:
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    while await pacer.wait():
        await _one_request(traffic, rng.choices(kinds, weights)[0])


async def _sample_rss(traffic: Traffic, started: float, step: float) -> None:
    while True:
        await asyncio.sleep(step)
        traffic.rss_trend.append((time.monotonic() - started, rss_kib(traffic.server_pid)))


async def drive(
    traffic: Traffic, seconds: float, concurrency: int, rate: float, on_warm: Any, warmup: float
) -> float:
    """Workers take paced tickets until the time is up; returns the elapsed seconds."""
    started = time.monotonic()
    pacer = Pacer(deadline=started + seconds, interval=1.0 / rate if rate > 0 else 0.0, next_slot=started)
    warm_done = asyncio.Event()

    async def warm_watch() -> None:
        await asyncio.sleep(warmup)
        on_warm()
        warm_done.set()

    watcher = asyncio.create_task(warm_watch())
    sampler = asyncio.create_task(_sample_rss(traffic, started, max(10.0, seconds / 20)))
    await asyncio.gather(*(_worker(traffic, pacer, random.Random(i)) for i in range(concurrency)))
    sampler.cancel()
    if not warm_done.is_set():
        watcher.cancel()
        on_warm()
    return time.monotonic() - started


# ---------------------------------------------------------------------------------------------------------------


def _print_latencies(stats: Stats, elapsed: float) -> None:
    print(f"{'kind':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in WEIGHTS:
        lat = sorted(stats.latencies[kind])
        if not lat:
            continue
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        print(
            f"{kind:<10} {len(lat):>9} {len(lat) / elapsed:>8.1f} {p50:>8.1f} {p99:>8.1f} {stats.errors[kind]:>7}"
        )
    total = sum(len(v) for v in stats.latencies.values())
    print(f"{'total':<10} {total:>9} {total / elapsed:>8.1f} {'':>8} {'':>8} {sum(stats.errors.values()):>7}")
    slowest = ", ".join(
        f"{kind} {what} {sec * 1000:.0f} ms" for sec, kind, what in sorted(stats.slowest, reverse=True)
    )
    print(f"slowest requests: {slowest}")
    print(f"scans answered: {dict(stats.scan_statuses)}")


def _report(
    stats: Stats, elapsed: float, rss: tuple[int, int, int], trend: list[tuple[float, int]], max_growth: float
) -> list[str]:
    """Prints the figures of the run; returns what went wrong (errors, memory growth over the limit)."""
    _print_latencies(stats, elapsed)
    idle, warm, end = rss
    growth = (end - warm) / warm * 100
    print(
        f"server RSS: idle {idle / 1024:.1f} MiB, after warm-up {warm / 1024:.1f} MiB, "
        f"end {end / 1024:.1f} MiB, growth {growth:+.1f}% (limit {max_growth:g}%)"
    )
    if trend:
        print("RSS trend (s: MiB): " + ", ".join(f"{t:.0f}: {k / 1024:.1f}" for t, k in trend))
    for sample in stats.samples:
        print(f"  error: {sample}")
    problems = []
    errors = sum(stats.errors.values())
    if errors:
        problems.append(f"{errors} errors")
    if growth > max_growth:
        problems.append(f"memory grew {growth:.1f}%")
    return problems


def _fresh_database(args: argparse.Namespace, tmp: Path) -> tuple[str, str | None]:
    """(url, PostgreSQL database to drop afterwards or None)."""
    if not args.database_url:
        return f"sqlite:///{tmp / 'soak.sqlite3'}", None
    if args.database_url.startswith("sqlite"):
        return args.database_url, None
    name = f"training_soak_{os.getpid()}"
    asyncio.run(_pg_admin(args.database_url, f'CREATE DATABASE "{name}"'))
    return urlunparse(urlparse(args.database_url)._replace(path=f"/{name}")), name


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line; applies --mix to WEIGHTS and settles the warm-up and the seed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at most")
    parser.add_argument(
        "--rate", type=float, default=40.0, help="requests/s in total (0: as fast as possible)"
    )
    parser.add_argument("--warmup", type=float, default=None, help="seconds before the memory baseline")
    parser.add_argument("--max-growth", type=float, default=10.0, help="percent of RSS growth allowed")
    parser.add_argument(
        "--database-url",
        default="",
        help="sqlite:///path (used as is) or a PostgreSQL server URL (a fresh database is created there)",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--no-mail", action="store_true", help="run the server without its mail worker")
    parser.add_argument("--mix", default="", help=f"weights, e.g. register=0,scan=60 (default: {WEIGHTS})")
    args = parser.parse_args(argv)
    for item in filter(None, args.mix.split(",")):
        kind, _, weight = item.partition("=")
        if kind not in WEIGHTS:
            parser.error(f"--mix: unknown kind {kind!r}")
        WEIGHTS[kind] = int(weight)
    if args.warmup is None:
        args.warmup = min(60.0, args.seconds / 10)
    if args.seed is None:
        args.seed = int(time.time()) % 10_000
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    warmup, seed = args.warmup, args.seed

    tmp = Path(tempfile.mkdtemp(prefix="training-soak-"))
    url, pg_name = _fresh_database(args, tmp)
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    sink = MailSink()
    sink.controller.start()
    server: subprocess.Popen[bytes] | None = None
    try:
        t0 = time.monotonic()
        _cli(url, tmp, "migrate", "--quiet")
        _cli(url, tmp, "demo", "--quiet")
        world = asyncio.run(prepare_today(url))
        print(
            f"soak: {engine}, demo data and today's session ready in {time.monotonic() - t0:.1f} s",
            flush=True,
        )
        port = free_port()
        server = start_server(url, port, tmp / "var", sink.port, tmp / "server.log", mail=not args.no_mail)
        rss_idle = rss_kib(server.pid)
        rss_warm = [rss_idle]
        stats = Stats()
        trend: list[list[tuple[float, int]]] = []

        def on_warm() -> None:
            rss_warm[0] = rss_kib(server.pid)  # type: ignore[union-attr]

        async def run() -> float:
            traffic = Traffic(f"http://127.0.0.1:{port}", world, stats, seed)
            traffic.server_pid = server.pid  # type: ignore[union-attr]
            trend.append(traffic.rss_trend)
            await traffic.start()
            try:
                return await drive(traffic, args.seconds, args.concurrency, args.rate, on_warm, warmup)
            finally:
                await traffic.close()

        print(
            f"soak: {args.seconds:g} s, concurrency {args.concurrency}, target {args.rate:g} req/s, "
            f"mix {WEIGHTS}, warm-up {warmup:g} s",
            flush=True,
        )
        elapsed = asyncio.run(run())
        rss_end = rss_kib(server.pid)
        alive = server.poll() is None
        # let the mail worker finish what the last registrations queued (bounded)
        registered = len(stats.latencies["register"]) - stats.errors["register"]
        deadline = time.monotonic() + 30
        while not args.no_mail and sink.count < registered and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        sink.controller.stop()
        if pg_name:
            asyncio.run(_pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))

    rss = (rss_idle, rss_warm[0], rss_end)
    problems = _report(stats, elapsed, rss, trend[0] if trend else [], args.max_growth)
    print(f"mail delivered to the SMTP sink: {sink.count} (registrations: {registered})")
    if not alive:
        problems.append("the server died")
    print("RESULT: " + ("OK" if not problems else "FAIL (" + ", ".join(problems) + ")"))
    if problems:
        log = (tmp / "server.log").read_text(errors="replace")
        if log.strip():
            print("server log (tail):\n" + log[-3000:])
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check-in under load: a real `training serve` on loopback, 50 concurrent scanners, random valid codes.

For each engine (SQLite file, PostgreSQL database) it prepares a database with one session running today, a block
open now and N confirmed teachers; starts the server; logs in a staff member; then, in the same run against the
same server:
  1. the bare endpoint GET /api/v1/ping (no database, no session) as the ceiling,
  2. for context, the same POST with a forged token (answered before any database work: the cost of an
     authenticated JSON POST through the framework, the log-in session and CSRF),
  3. N scans POST /api/v1/checkin/redeem, each teacher once in random order, plus 10% repeated scans of people
     already in (answered already_checked_in),
and prints requests/s, p50, p99 and max, then checks in the database that every teacher is recorded exactly once.
The load generator is a minimal asyncio HTTP/1.1 keep-alive client (50 connections), on the same 2 cores; its
garbage collector is off while it measures.

    python bench/checkin_load.py                 # both engines, 3000 scans
    python bench/checkin_load.py --engine sqlite --scans 1000
    python bench/checkin_load.py --engine postgres --workers 2    # as docker runs it

BENCH_DUMP=/tmp/latencies.txt writes each scan's latency in request order (to find stalls);
BENCH_SERVER_WRAPPER="py-spy record --format raw -o /tmp/scan.txt --" profiles the server.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

from bench.common import children_of, cpu_seconds, free_port, postgres_pids  # noqa: E402
from training import db, keys  # noqa: E402
from training.accounts import service as accounts  # noqa: E402
from training.config import Settings  # noqa: E402
from training.core.codes import new_manual_code  # noqa: E402
from training.core.tokens import make_token  # noqa: E402
from training.enrollment.tables import Enrollment  # noqa: E402
from training.people.identity import check_digit  # noqa: E402
from training.people.service import TeacherProfile, profile_columns, protected_columns  # noqa: E402
from training.people.tables import County, Teacher  # noqa: E402
from training.programmes.tables import Block, Programme, TrainingSession  # noqa: E402

SECRET = "bench-secret-" + "k" * 40
PASSWORD = "correct-horse-battery-staple"
LOCAL = ZoneInfo("Asia/Shanghai")
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


# ---------------------------------------------------------------------------------------------------------------
# Database preparation


async def prepare(url: str, teachers: int) -> tuple[int, list[str]]:
    """Migrate, create a session with a block open now, `teachers` confirmed enrollments, a staff account."""
    settings = Settings(database_url=url, secret_key=SECRET)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    keys.configure(SECRET)
    await db.start(engine, settings)
    try:
        await db.migrate(quiet=True)
        county = (await County.insert(County(code="510823", name="剑阁县", province="四川省")))[0]["id"]
        programme = (await Programme.insert(Programme(slug="bench", name="暑期教师培训班")))[0]["id"]
        today = datetime.now(UTC).astimezone(LOCAL).date()
        session = (
            await TrainingSession.insert(
                TrainingSession(
                    programme=programme,
                    year=today.year,
                    title="压测班",
                    starts_on=today,
                    ends_on=today + timedelta(days=1),
                    capacity=teachers,
                    status="published",
                )
            )
        )[0]["id"]
        block = (
            await Block.insert(
                Block(session=session, day=today, starts_at=dtime(0, 0), ends_at=dtime(23, 59), topic="压测")
            )
        )[0]["id"]
        rng = random.Random(7)
        rows = []
        for i in range(teachers):
            body = f"510823199{i % 10}0{1 + i % 9}1{i % 10}{i % 1000:03d}"[:17]
            number = body[:14] + f"{i:03d}"[-3:]
            number = number + check_digit(number)
            profile = TeacherProfile(
                id_number=number,
                name=f"教师{i}",
                phone=f"139{i:08d}",
                county_id=county,
                school_name="实验小学",
            )
            cols = {**protected_columns(profile), **profile_columns(profile)}
            cols["id_hash"] = f"bench-{i}"  # unique without caring about the synthetic numbers
            rows.append(Teacher(**cols))
        teacher_ids = await _insert_many(Teacher, rows)
        codes: set[str] = set()
        enrollments = []
        for tid in teacher_ids:
            code = new_manual_code(rng)
            while code in codes:
                code = new_manual_code(rng)
            codes.add(code)
            enrollments.append(
                Enrollment(session=session, teacher=tid, county=county, status="confirmed", manual_code=code)
            )
        enrollment_ids = await _insert_many(Enrollment, enrollments)
        await accounts.create_user("bench", PASSWORD, "staff", "压测员")
        return block, [make_token(keys.current().qr_token, e) for e in enrollment_ids]
    finally:
        await db.stop(engine)


async def _insert_many(table: Any, rows: list[Any], batch: int = 400) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), batch):
        ids.extend(int(r["id"]) for r in await table.insert(*rows[start : start + batch]))
    return ids


async def verify(url: str, block: int) -> tuple[int, int]:
    settings = Settings(database_url=url, secret_key=SECRET)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    try:
        rows = await db.fetch(
            'SELECT COUNT(*) AS n, COUNT(DISTINCT enrollment) AS d FROM "check_in" WHERE block = {}', block
        )
        return int(rows[0]["n"]), int(rows[0]["d"])
    finally:
        if db.is_sqlite(engine) is False and getattr(engine, "pool", None) is not None:
            await db.stop(engine)


async def stats_settle(url: str) -> tuple[float, int, int]:
    """PostgreSQL queues the statistics refresh of each check-in (the server's background task works through it
    slowly, to leave the CPU to the scans); the first reader catches up on the rest, as the dashboard would.
    Returns (seconds that reader spent catching up, enrollments it refreshed, check-ins counted in stats_fact)."""
    from training.stats import schema

    settings = Settings(database_url=url, secret_key=SECRET)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    await db.start(engine, settings)  # a pool, as in the server
    try:
        started = time.monotonic()
        refreshed = await schema.catch_up()
        took = time.monotonic() - started
        rows = await db.fetch("SELECT COALESCE(SUM(checkins), 0) AS n FROM stats_fact")
        return took, refreshed, int(rows[0]["n"])
    finally:
        await db.stop(engine)


# ---------------------------------------------------------------------------------------------------------------
# The server and a small keep-alive HTTP client


def start_server(url: str, port: int, data_dir: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": url,
        "TRAINING_SECRET_KEY": SECRET,
        "TRAINING_DATA_DIR": str(data_dir),
        "TRAINING_BASE_URL": f"http://127.0.0.1:{port}",
        "TRAINING_MAIL_WORKER": "false",
        "TRAINING_LOG_LEVEL": "WARNING",
        "TRAINING_DB_POOL_MIN": "10",
        "TRAINING_DB_POOL_MAX": "20",
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
        "--workers",
        str(workers),
    ]
    cmd = os.environ.get("BENCH_SERVER_WRAPPER", "").split() + cmd
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def log_in(port: int) -> dict[str, str]:
    """Cookies of a logged-in staff session (CSRF cookie, then the real log-in form)."""
    base = f"http://127.0.0.1:{port}"
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "_csrf_token": csrf}).encode()
    try:
        opener.open(base + "/login", data=form).read()
    except urllib.error.HTTPError:  # where the redirect lands does not matter: the session cookie is set
        pass
    return {c.name: c.value for c in jar}


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(self, raw: bytes) -> Answer:
        started = time.perf_counter()
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        body = await self.reader.readexactly(length)
        return Answer(status, body, time.perf_counter() - started)


def http_get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()


def http_post_json(path: str, payload: dict[str, Any], cookies: dict[str, str]) -> bytes:
    body = json.dumps(payload).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Cookie: {cookie}\r\nx-csrftoken: {cookies['csrftoken']}\r\n\r\n"
    )
    return head.encode() + body


async def run_load(port: int, requests: list[bytes], concurrency: int) -> tuple[float, list[Answer]]:
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(requests):
        queue.put_nowait(item)
    answers: list[Answer | None] = [None] * len(requests)
    conns = [Connection(*await asyncio.open_connection("127.0.0.1", port)) for _ in range(concurrency)]

    async def worker(conn: Connection) -> None:
        while True:
            try:
                index, raw = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            answers[index] = await conn.request(raw)

    # The load generator's own garbage collections (its list of answers grows) would stall all 50 connections at
    # once and count as server latency.
    gc.disable()
    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in conns))
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    for conn in conns:
        conn.writer.close()
    return elapsed, [a for a in answers if a is not None]


def summarise(name: str, elapsed: float, answers: list[Answer]) -> dict[str, float]:
    latencies = sorted(a.seconds * 1000 for a in answers)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    figures = {
        "rps": len(answers) / elapsed,
        "p50": statistics.median(latencies),
        "p99": p99,
        "max": latencies[-1],
    }
    print(
        f"  {name:<22} {len(answers):>6} req  {figures['rps']:>8.0f} req/s  p50 {figures['p50']:6.1f} ms"
        f"  p99 {figures['p99']:6.1f} ms  max {figures['max']:6.1f} ms"
    )
    return figures


# ---------------------------------------------------------------------------------------------------------------


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def bench_engine(engine: str, scans: int, concurrency: int, workers: int = 1) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix="checkin-bench-"))
    if engine == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        name = f"checkin_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = urllib.parse.urlunparse(urllib.parse.urlparse(PG_ADMIN)._replace(path=f"/{name}"))
    print(f"\n{engine}: preparing {scans} confirmed teachers …", flush=True)
    block, tokens = asyncio.run(prepare(url, scans))
    port = free_port()
    server = start_server(url, port, workdir, workers)
    try:
        cookies = log_in(port)
        rng = random.Random(11)
        order = tokens[:]
        rng.shuffle(order)
        repeats = rng.sample(order, scans // 10)
        payloads = [
            {"code": t, "block_id": block, "client_id": uuid.uuid4().hex, "device_id": "bench"} for t in order
        ]
        # Repeated scans come after the first pass over everyone, mixed into its last part.
        tail = [
            {"code": t, "block_id": block, "client_id": uuid.uuid4().hex, "device_id": "bench-2"}
            for t in repeats
        ]
        cut = len(payloads) - len(tail)
        mixed = payloads[cut:] + tail
        rng.shuffle(mixed)
        scan_requests = [http_post_json("/api/v1/checkin/redeem", p, cookies) for p in payloads[:cut] + mixed]
        ping = http_get("/api/v1/ping")
        asyncio.run(run_load(port, [ping] * 500, concurrency))  # warm-up
        # Warm the scan path too (each pooled connection prepares its statements once) without writing: valid
        # codes for a block that does not exist take the same statement and are answered `invalid`.
        warm = [
            http_post_json(
                "/api/v1/checkin/redeem",
                {
                    "code": t,
                    "block_id": block + 1_000_000,
                    "client_id": uuid.uuid4().hex,
                    "device_id": "warm",
                },
                cookies,
            )
            for t in order[:500]
        ]
        asyncio.run(run_load(port, warm, concurrency))
        print(
            f"  {concurrency} concurrent connections, {workers} server worker(s), load generator on the same machine"
        )
        # Alternate rounds of bare and scan requests so that both see the same machine (other work comes and goes).
        rounds = 3
        size = -(-len(scan_requests) // rounds)
        bare_time, scan_time, floor_time = 0.0, 0.0, 0.0
        server_pids = [server.pid, *children_of(server.pid)]
        # server, postgres, load generator
        cpu = {"bare": [0.0, 0.0, 0.0], "floor": [0.0, 0.0, 0.0], "scan": [0.0, 0.0, 0.0]}
        # Context, not a target: the same POST with a forged token is answered before any database work (the
        # MAC check fails), so it costs what the framework, the log-in session and CSRF cost an authenticated
        # JSON POST: the floor under any scan.
        forged = http_post_json(
            "/api/v1/checkin/redeem",
            {"code": "TC" + "A" * 20, "block_id": block, "client_id": "forged", "device_id": "bench"},
            cookies,
        )

        def measured(kind: str, work: Any) -> Any:
            before = (
                cpu_seconds(server_pids),
                cpu_seconds(postgres_pids(), reaped=True),
                time.process_time(),
            )
            result = work()
            after = (cpu_seconds(server_pids), cpu_seconds(postgres_pids(), reaped=True), time.process_time())
            for i in range(3):
                cpu[kind][i] += after[i] - before[i]
            return result

        bare_answers: list[Answer] = []
        floor_answers: list[Answer] = []
        answers: list[Answer] = []
        for r in range(rounds):
            elapsed, got = measured("bare", lambda: asyncio.run(run_load(port, [ping] * size, concurrency)))
            bare_time, bare_answers = bare_time + elapsed, bare_answers + got
            elapsed, got = measured(
                "floor", lambda: asyncio.run(run_load(port, [forged] * size, concurrency))
            )
            floor_time, floor_answers = floor_time + elapsed, floor_answers + got
            chunk = scan_requests[r * size : (r + 1) * size]
            elapsed, got = measured("scan", lambda c=chunk: asyncio.run(run_load(port, c, concurrency)))
            scan_time, answers = scan_time + elapsed, answers + got
        if os.environ.get("BENCH_DUMP"):
            Path(os.environ["BENCH_DUMP"]).write_text("\n".join(f"{a.seconds * 1000:.2f}" for a in answers))
        bare = summarise("bare GET /api/v1/ping", bare_time, bare_answers)
        floor = summarise("POST, forged (no db)", floor_time, floor_answers)
        scan = summarise("POST checkin/redeem", scan_time, answers)
        settled_after, refreshed, counted = asyncio.run(stats_settle(url))
        for kind, count in (
            ("bare", len(bare_answers)),
            ("floor", len(floor_answers)),
            ("scan", len(answers)),
        ):
            server_us, pg_us, client_us = (1e6 * c / count for c in cpu[kind])
            print(
                f"  CPU per {kind} request: server {server_us:.0f} µs, PostgreSQL {pg_us:.0f} µs,"
                f" load generator {client_us:.0f} µs"
            )
    finally:
        server.send_signal(signal.SIGINT)  # graceful for uvicorn, and a profiler wrapper writes its output
        server.wait(timeout=20)
    statuses: dict[str, int] = {}
    for a in answers:
        key = json.loads(a.body).get("status", f"http {a.status}") if a.status == 200 else f"http {a.status}"
        statuses[key] = statuses.get(key, 0) + 1
    rows, distinct = asyncio.run(verify(url, block))  # (no pool: a plain connection)
    if engine != "sqlite":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"  answers: {statuses}")
    print(f"  database: {rows} check-ins, {distinct} distinct teachers (expected {scans} and {scans})")
    exact = rows == distinct == scans == statuses.get("ok", 0) and statuses.get(
        "already_checked_in", 0
    ) == len(tail)
    print(f"  every scan recorded exactly once: {'yes' if exact else 'NO'}")
    print(
        f"  statistics: {counted} check-ins counted; the first reader after the load refreshed {refreshed}"
        f" queued enrollments in {settled_after:.1f} s"
    )
    exact = exact and counted == scans
    ratio = scan["rps"] / bare["rps"]
    if engine == "sqlite":
        verdict = "met" if scan["max"] <= 250 else "NOT met"
        print(f"  target (no request slower than 250 ms): {verdict} (max {scan['max']:.0f} ms)")
    else:
        verdict = "met" if ratio >= 0.4 and scan["p99"] <= 25 else "NOT met"
        print(
            f"  target (≥40% of bare, p99 ≤ 25 ms): {verdict} ({ratio:.0%} of bare, p99 {scan['p99']:.1f} ms);"
            f" for context: scans are {scan['rps'] / floor['rps']:.0%} of the forged-token POST,"
            f" which is {floor['rps'] / bare['rps']:.0%} of bare"
        )
    return exact


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="`training serve --workers` (docker runs 2)")
    args = parser.parse_args()
    if args.engine == "both":  # one process per engine: Piccolo's migration machinery keeps the first engine
        codes = [
            subprocess.call(
                [
                    sys.executable,
                    __file__,
                    "--engine",
                    engine,
                    "--scans",
                    str(args.scans),
                    "--concurrency",
                    str(args.concurrency),
                    "--workers",
                    str(args.workers),
                ]
            )
            for engine in ("sqlite", "postgres")
        ]
        raise SystemExit(max(codes))
    raise SystemExit(0 if bench_engine(args.engine, args.scans, args.concurrency, args.workers) else 1)


if __name__ == "__main__":
    main()

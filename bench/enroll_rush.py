"""Registration rush: N concurrent registrations against one session with county quotas, on SQLite and
PostgreSQL, through the real service (validation, teacher upsert with encryption, seat claim under the session lock,
enrollment insert, confirmation mail with QR + .ics queued in the same transaction).

Prints registrations/s, p50/p99 latency and the seat check (confirmed == capacity, every county within its
quota, seats_taken == confirmed). A naive count-then-insert baseline runs in the same process for comparison.

    python bench/enroll_rush.py                       # both engines, N=600, capacity 100
    python bench/enroll_rush.py --engines postgres --n 2000 --capacity 300

HTTP mode: a real `training serve` on loopback and 50 concurrent keep-alive clients posting N distinct teachers to
the public JSON API (POST /api/v1/sessions/{id}/registrations) for one session of `--capacity` seats, like the
check-in bench. Prints registrations/s, p50/p99/max, server and PostgreSQL CPU per registration, the bare
GET /api/v1/ping of the same server in the same run as the ceiling, and the exactness check (confirmed ==
capacity, every county within its quota, one enrollment per teacher, every answer 201).

    python bench/enroll_rush.py --http --engines postgres --n 2000 --capacity 300
    python bench/enroll_rush.py --http --engines postgres --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

import asyncpg

from training import db, keys
from training.config import Settings

PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
COUNTY_CODES = [
    "510823",
    "511622",
    "513432",
    "510824",
    "510822",
    "522328",
    "520523",
    "513431",
    "513226",
    "511923",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def setup_database(engine_name: str) -> tuple[str, Any]:
    if engine_name == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        cleanup = None
    else:
        name = f"bench_rush_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"

        async def drop() -> None:
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        cleanup = drop
    settings = Settings(
        database_url=url, secret_key="bench-secret-" + "x" * 32, db_pool_min=4, db_pool_max=20
    )
    engine = db.make_engine(settings)
    db.use_engine(engine)
    keys.configure(settings.secret_key)
    await db.start(engine, settings)
    await db.migrate(quiet=True)
    return url, (engine, cleanup)


async def make_world(capacity: int, counties: int) -> tuple[int, list[int], list[int]]:
    from tests.enrollment.factory import make_session
    from training.people.tables import County, School

    county_ids = []
    for code in COUNTY_CODES[:counties]:
        rows = await County.insert(County(code=code, name=f"{code}县", province="四川省"))
        county_ids.append(int(rows[0]["id"]))
        await School.insert(School(county=county_ids[-1], name=f"{code}县实验小学", level="primary"))
    # Every county gets an equal quota; the remainder is the open pool (used by no county here).
    quota = capacity // counties
    quotas = [quota] * counties
    session_id = await make_session(county_ids, capacity=capacity, quotas=quotas)  # type: ignore[arg-type]
    return session_id, county_ids, quotas


def values_for(n: int, county_ids: list[int]) -> dict[str, str]:
    from tests.enrollment.factory import registration

    index = n % len(county_ids)
    values = registration(county_ids[index], n, county_code=COUNTY_CODES[index])
    values["school"] = f"{COUNTY_CODES[index]}县实验小学"
    values["phone"] = f"139{n:08d}"
    return values


async def rush(
    session_id: int, county_ids: list[int], indices: list[int], in_flight: int
) -> tuple[list[float], list[float], float, list[Any]]:
    """All n registrations arrive at once; at most `in_flight` are being served (like a server's worker pool).
    Returns (service latencies, arrival-to-answer latencies, elapsed, outcomes)."""
    from training.enrollment import service

    service_times: list[float] = []
    total_times: list[float] = []
    gate = asyncio.Semaphore(in_flight)

    async def one(i: int) -> Any:
        arrived = time.perf_counter()
        async with gate:
            start = time.perf_counter()
            outcome = await service.register(
                session_id, values_for(i, county_ids), base_url="http://bench.local"
            )
            done = time.perf_counter()
        service_times.append(done - start)
        total_times.append(done - arrived)
        return outcome

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(one(i) for i in indices))
    return service_times, total_times, time.perf_counter() - started, outcomes


def _child(
    url: str,
    session_id: int,
    county_ids: list[int],
    indices: list[int],
    in_flight: int,
    go: Any,
    results: Any,
) -> None:
    """One of several processes registering against the same session (like several app server workers)."""

    async def work() -> None:
        settings = Settings(
            database_url=url, secret_key="bench-secret-" + "x" * 32, db_pool_min=2, db_pool_max=in_flight + 2
        )
        engine = db.make_engine(settings)
        db.use_engine(engine)
        keys.configure(settings.secret_key)
        await db.start(engine, settings)
        try:
            results.put(("ready", None))
            await asyncio.get_running_loop().run_in_executor(None, go.wait)
            service_times, total_times, _, outcomes = await rush(session_id, county_ids, indices, in_flight)
            statuses = [(i, o.status) for i, o in zip(indices, outcomes, strict=True)]
            results.put(("done", (service_times, total_times, statuses)))
        finally:
            await db.stop(engine)

    asyncio.run(work())


def rush_processes(
    url: str, session_id: int, county_ids: list[int], n: int, in_flight: int, processes: int
) -> tuple[list[float], list[float], float, list[str]]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    go = context.Event()
    results = context.Queue()
    children = [
        context.Process(
            target=_child,
            args=(url, session_id, county_ids, list(range(p, n, processes)), in_flight, go, results),
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    for _ in children:
        assert results.get(timeout=120)[0] == "ready"
    from bench.common import cpu_seconds, postgres_pids

    pg_before = cpu_seconds(postgres_pids(), reaped=True)
    app_before = cpu_seconds([c.pid for c in children if c.pid is not None])
    started = time.perf_counter()
    go.set()
    service_times: list[float] = []
    total_times: list[float] = []
    statuses: dict[int, str] = {}
    for _ in children:
        kind, payload = results.get(timeout=600)
        assert kind == "done"
        service_times += payload[0]
        total_times += payload[1]
        statuses.update(dict(payload[2]))
    elapsed = time.perf_counter() - started
    app_cpu = cpu_seconds([c.pid for c in children if c.pid is not None]) - app_before
    pg_cpu = cpu_seconds(postgres_pids(), reaped=True) - pg_before
    print(
        f"CPU per registration: application {app_cpu / n * 1e6:.0f} µs, PostgreSQL {pg_cpu / n * 1e6:.0f} µs"
        " (the statistics queue is worked through later, by the server or the first reader)"
    )
    for child in children:
        child.join()
    return service_times, total_times, elapsed, [statuses[i] for i in range(n)]


async def naive_rush(session_id: int, county_ids: list[int], n: int, offset: int) -> tuple[float, int]:
    """The baseline: count the confirmed, then insert — no lock, no conditional update."""
    from training.core.codes import new_manual_code
    from training.enrollment.rules import validate
    from training.enrollment.service import local_today, profile_of
    from training.enrollment.tables import Enrollment
    from training.people.service import upsert_teacher
    from training.programmes.tables import TrainingSession

    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    assert session is not None

    async def one(i: int) -> None:
        reg, _ = validate(values_for(offset + i, county_ids), today=local_today(), eligible_county_ids=None)
        assert reg is not None
        teacher_id, _ = await upsert_teacher(profile_of(reg, None))
        taken = await Enrollment.count().where(
            (Enrollment.session == session_id) & (Enrollment.status == "confirmed")
        )
        status = "confirmed" if taken < session["capacity"] else "waitlisted"
        await Enrollment.insert(
            Enrollment(
                session=session_id,
                teacher=teacher_id,
                county=reg.county_id,
                status=status,
                manual_code=new_manual_code(),
            )
        )

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    confirmed = await Enrollment.count().where(
        (Enrollment.session == session_id) & (Enrollment.status == "confirmed")
    )
    return elapsed, confirmed


async def run_engine(
    engine_name: str, n: int, capacity: int, counties: int, in_flight: int, processes: int
) -> None:
    from training.programmes.tables import CountyQuota, TrainingSession

    url, (engine, cleanup) = await setup_database(engine_name)
    try:
        session_id, county_ids, quotas = await make_world(capacity, counties)
        if processes > 1:
            latencies, waits, elapsed, statuses = await asyncio.to_thread(
                rush_processes, url, session_id, county_ids, n, in_flight, processes
            )
        else:
            latencies, waits, elapsed, outcomes = await rush(
                session_id, county_ids, list(range(n)), in_flight
            )
            statuses = [o.status for o in outcomes]
        confirmed = statuses.count("confirmed")
        session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
        assert session is not None
        quota_rows = await CountyQuota.select().where(CountyQuota.session == session_id)
        within_quota = all(r["quota"] is None or r["seats_taken"] <= r["quota"] for r in quota_rows)
        per_county: dict[int, int] = {}
        for i, status in enumerate(statuses):
            if status == "confirmed":
                c = county_ids[i % len(county_ids)]
                per_county[c] = per_county.get(c, 0) + 1
        exact = confirmed == sum(quotas) and session["seats_taken"] == confirmed and within_quota
        print(
            f"{engine_name:<9} conditional claim: {n} registrations in {elapsed:.2f}s = {n / elapsed:,.0f}/s, "
            f"{processes} process(es) x {in_flight} in flight: p50 {statistics.median(latencies) * 1000:.1f} ms, "
            f"p99 {pct(latencies, 99) * 1000:.1f} ms (arrival to answer p50 {statistics.median(waits) * 1000:.0f} ms, "
            f"p99 {pct(waits, 99) * 1000:.0f} ms); "
            f"confirmed {confirmed} (capacity {capacity}, quotas {sum(quotas)}), waitlisted {statuses.count('waitlisted')}, "
            f"max per county {max(per_county.values())} (quota {max(quotas)}) -> seat check {'OK' if exact else 'FAILED'}"
        )
        naive_session, _, _ = await make_world_again(county_ids, capacity)
        naive_elapsed, naive_confirmed = await naive_rush(naive_session, county_ids, n, offset=n)
        print(
            f"{engine_name:<9} naive count-then-insert: {n} in {naive_elapsed:.2f}s = {n / naive_elapsed:,.0f}/s; "
            f"confirmed {naive_confirmed} for capacity {capacity} -> {'oversold' if naive_confirmed > capacity else 'held (by luck or serialisation)'}"
        )
    finally:
        await db.stop(engine)
        if cleanup:
            await cleanup()


async def make_world_again(county_ids: list[int], capacity: int) -> tuple[int, list[int], list[int]]:
    from tests.enrollment.factory import make_session

    session_id = await make_session(county_ids, capacity=capacity, title="naive")
    return session_id, county_ids, []


# ---------------------------------------------------------------------------------------------------------------
# HTTP mode: a real server, keep-alive clients


def http_registration(path: str, payload: dict[str, Any]) -> bytes:
    """A cookie-less public JSON POST, as a phone's browser or the API client sends it."""
    import json

    body = json.dumps(payload, ensure_ascii=False).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def api_payload(values: dict[str, str]) -> dict[str, Any]:
    return {
        **values,
        "county": int(values["county"]),
        "years_teaching": int(values["years_teaching"]),
        "consent": True,
    }


async def http_check(session_id: int, n: int) -> tuple[int, int, int, bool]:
    """(confirmed, waitlisted, distinct teachers, counters agree) read back from the database."""
    from training.enrollment.tables import Enrollment
    from training.programmes.tables import CountyQuota, TrainingSession

    rows = await Enrollment.select(Enrollment.teacher, Enrollment.status, Enrollment.county).where(
        Enrollment.session == session_id
    )
    confirmed = [r for r in rows if r["status"] == "confirmed"]
    session = await TrainingSession.select().where(TrainingSession.id == session_id).first()
    assert session is not None
    per_county: dict[int, int] = {}
    for r in confirmed:
        per_county[r["county"]] = per_county.get(r["county"], 0) + 1
    quotas = await CountyQuota.select().where(CountyQuota.session == session_id)
    counters = session["seats_taken"] == len(confirmed) and all(
        q["seats_taken"] == per_county.get(q["county"], 0)
        and (q["quota"] is None or q["seats_taken"] <= q["quota"])
        for q in quotas
    )
    waitlisted = sum(1 for r in rows if r["status"] == "waitlisted")
    return len(confirmed), waitlisted, len({r["teacher"] for r in rows}), counters


def run_http(engine_name: str, n: int, capacity: int, counties: int, concurrency: int, workers: int) -> bool:
    import json
    import signal

    from bench.checkin_load import run_load, start_server, summarise
    from bench.common import children_of, cpu_seconds, free_port, postgres_pids

    async def prepare() -> tuple[str, int, int, list[int], Any]:
        url, (engine, cleanup) = await setup_database(engine_name)
        session_id, county_ids, _ = await make_world(capacity, counties)
        # Warm-up registrations go to a session of their own so that the measured one starts empty.
        warm_id, _, _ = await make_world_again(county_ids, 10 * n)
        await db.stop(engine)
        return url, session_id, warm_id, county_ids, cleanup

    url, session_id, warm_id, county_ids, cleanup = asyncio.run(prepare())
    workdir = Path(tempfile.mkdtemp(prefix="enroll-bench-"))
    port = free_port()
    server = start_server(url, port, workdir, workers)
    ok = False
    try:
        ping = b"GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
        warm = [
            http_registration(
                f"/api/v1/sessions/{warm_id}/registrations", api_payload(values_for(n + i, county_ids))
            )
            for i in range(min(500, n))
        ]
        asyncio.run(run_load(port, [ping] * 500, concurrency))
        asyncio.run(run_load(port, warm, concurrency))
        measured_requests = [
            http_registration(
                f"/api/v1/sessions/{session_id}/registrations", api_payload(values_for(i, county_ids))
            )
            for i in range(n)
        ]
        server_pids = [server.pid, *children_of(server.pid)]
        before = (cpu_seconds(server_pids), cpu_seconds(postgres_pids(), reaped=True))
        elapsed, answers = asyncio.run(run_load(port, measured_requests, concurrency))
        after = (cpu_seconds(server_pids), cpu_seconds(postgres_pids(), reaped=True))
        bare_elapsed, bare_answers = asyncio.run(run_load(port, [ping] * n, concurrency))
        print(
            f"\n{engine_name}: {n} distinct teachers, capacity {capacity} ({counties} counties x quota"
            f" {capacity // counties}), {concurrency} keep-alive connections, {workers} server worker(s),"
            " load generator on the same machine"
        )
        bare = summarise("bare GET /api/v1/ping", bare_elapsed, bare_answers)
        reg = summarise("POST registrations", elapsed, answers)
        server_us = (after[0] - before[0]) / n * 1e6
        pg_us = (after[1] - before[1]) / n * 1e6
        print(f"  CPU per registration: server {server_us:.0f} µs, PostgreSQL {pg_us:.0f} µs")
        statuses: dict[str, int] = {}
        for a in answers:
            key = json.loads(a.body).get("status", "?") if a.status == 201 else f"http {a.status}"
            statuses[key] = statuses.get(key, 0) + 1
        print(f"  answers: {statuses}")

        async def check() -> tuple[int, int, int, bool]:
            settings = Settings(database_url=url, secret_key="bench-secret-" + "x" * 32)
            engine = db.make_engine(settings)
            db.use_engine(engine)
            await db.start(engine, settings)
            try:
                return await http_check(session_id, n)
            finally:
                await db.stop(engine)

        confirmed, waitlisted, distinct, counters = asyncio.run(check())
        ok = confirmed == capacity and waitlisted == n - capacity and distinct == n and counters
        ok = ok and statuses.get("confirmed", 0) == capacity and statuses.get("waitlisted", 0) == n - capacity
        print(
            f"  database: {confirmed} confirmed (capacity {capacity}), {waitlisted} waitlisted, {distinct} teachers"
            f" (expected {n}); counters agree: {counters} -> exactness {'OK' if ok else 'FAILED'}"
        )
        verdict = "met" if reg["rps"] >= 1000 and reg["p99"] <= 100 and ok else "NOT met"
        print(
            f"  target (1 worker: >= 1,000 registrations/s, p99 <= 100 ms, exactly {capacity} confirmed): {verdict};"
            f" registrations are {reg['rps'] / bare['rps']:.0%} of the bare endpoint's rate"
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
        if cleanup:
            asyncio.run(cleanup())
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--counties", type=int, default=5)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--in-flight", type=int, default=8, help="registrations served at once per process")
    parser.add_argument(
        "--processes", type=int, default=1, help="processes registering at once (like app workers)"
    )
    parser.add_argument("--http", action="store_true", help="through a real `training serve` over HTTP")
    parser.add_argument("--workers", type=int, default=1, help="HTTP mode: server worker processes")
    parser.add_argument("--concurrency", type=int, default=50, help="HTTP mode: keep-alive connections")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if len(engines) == 1:
        if args.http:
            ok = run_http(engines[0], args.n, args.capacity, args.counties, args.concurrency, args.workers)
            sys.exit(0 if ok else 1)
        asyncio.run(
            run_engine(engines[0], args.n, args.capacity, args.counties, args.in_flight, args.processes)
        )
        return
    # One process per engine: Piccolo's migration machinery keeps the first engine it finds.
    import subprocess

    for engine_name in engines:
        argv = [a for a in sys.argv[1:]]
        if "--engines" in argv:
            at = argv.index("--engines")
            del argv[at : at + 2]
        argv = [a for a in argv if not a.startswith("--engines=")]
        subprocess.run([sys.executable, __file__, *argv, "--engines", engine_name], check=True)


if __name__ == "__main__":
    main()

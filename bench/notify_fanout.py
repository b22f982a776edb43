"""Reminder fan-out: N teachers, one reminder each, through the outbox to an SMS provider's protocol server.

It builds a session that starts in three days with N confirmed teachers (mobile only), then at the three-day moment
(controlled clock) runs the reminder pass (training/notify/reminders.py) — one transaction per 200 recipients that
records each (enrollment, slot) and queues its SMS — and lets W SMS workers (asyncio tasks, each claiming its own
batches) send everything to the Alibaba Cloud SendSms protocol server of tests/sms/servers.py on loopback, which
checks every signature. It prints:

- fan-out: messages queued per second, and the p50/p99 time of one fan-out transaction (200 messages);
- drain: messages sent per second;
- peak memory (max RSS of this process, which also runs the provider server);
- exactly once: messages the provider accepted, distinct outbox ids among them, each teacher exactly one,
  rows marked sent; and that a second reminder pass (a restart) queues nothing;
- baseline: one SendSms request per message from memory with the same client (no database, no outbox) — the
  ceiling the outbox can approach on this machine;
- broadcast request: R organiser POSTs of a broadcast to the N confirmed teachers of the session through the real
  app (create_app, CSRF, login, the form handler, its transactions of 200), each timed end to end until the
  redirect; p50 and p99, beside the same POST to a session of one teacher (one send per request) in the same run.
  The broadcast rate limit is lifted between requests by deleting the previous requests' audit rows (untimed).

    python bench/notify_fanout.py --teachers 10000 --engine postgres --workers 4
    python bench/notify_fanout.py --teachers 2000 --engine sqlite --workers 1

Run it under the heavy lock on a shared machine: flock /tmp/heavy.lock python bench/notify_fanout.py ...
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from tests.sms.servers import AliyunServer  # noqa: E402
from training import db, keys  # noqa: E402
from training.accounts import service as accounts  # noqa: E402
from training.app import create_app  # noqa: E402
from training.config import Settings  # noqa: E402
from training.core.clock import LOCAL_TZ  # noqa: E402
from training.core.masking import mask_phone  # noqa: E402
from training.notify import reminders  # noqa: E402
from training.sms import state as sms_state  # noqa: E402
from training.sms.aliyun import AliyunClient  # noqa: E402
from training.sms.worker import SmsWorker  # noqa: E402

SECRET = "bench-secret-" + "n" * 40
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BASE_URL = "https://px.example.cn"


async def populate(n: int, starts_on: date, first: int = 0) -> int:
    """A published session and n confirmed teachers with a mobile number and no e-mail (numbered from `first`)."""
    k = keys.current()
    async with db.transaction():
        found = await db.fetch('SELECT "id" FROM "county" WHERE "code" = {}', "510823")
        county = found[0]["id"] if found else None
        if county is None:
            county = await db.insert(
                "county", {"code": "510823", "name": "剑阁县", "province": "四川省", "aided": True}
            )
        programme = await db.insert(
            "programme", {"slug": f"summer-{first}", "name": "暑期教师培训班", "kind": "summer"}
        )
        session = await db.insert(
            "training_session",
            {
                "programme": programme,
                "year": starts_on.year,
                "title": "第10期暑期教师培训班",
                "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=3),
                "venue": "剑阁县教师进修学校",
                "capacity": n,
                "status": "published",
            },
        )
    assert session is not None
    for start in range(first, first + n, 500):
        async with db.transaction():
            for i in range(start, min(first + n, start + 500)):
                phone = f"199{i:08d}"
                teacher = await db.insert(
                    "teacher",
                    {
                        "id_hash": k.hash_id_card(f"ID{i:016d}"),
                        "id_encrypted": "",
                        "id_masked": "",
                        "name": f"王老师{i}",
                        "phone_hash": k.hash_phone(phone),
                        "phone_encrypted": k.field_cipher.encrypt(phone, "phone"),
                        "phone_masked": mask_phone(phone),
                        "county": county,
                    },
                )
                await db.insert(
                    "enrollment",
                    {
                        "session": session,
                        "teacher": teacher,
                        "county": county,
                        "status": "confirmed",
                        "holds_seat": True,
                        "manual_code": f"B{i:09d}",
                    },
                )
    return int(session)


async def baseline(settings: Settings, n: int) -> float:
    """One SendSms request per message, sequential, from memory (the outbox's worker sends one at a time too)."""
    client = AliyunClient(settings)
    started = time.perf_counter()
    try:
        for i in range(n):
            await client.send(
                f"199{i:08d}",
                "王老师您好，第10期暑期教师培训班将于7月15日开班。",
                kind="reminder",
                outbox_id=i,
            )
    finally:
        await client.aclose()
    return n / (time.perf_counter() - started)


BENCH_USER, BENCH_PASSWORD = "bench-organiser", "long-Quiet-river-2031"


async def broadcast_requests(settings: Settings, session_ids: list[int], rounds: int) -> list[list[float]]:
    """`rounds` timed broadcast POSTs to each session through the real app, as a logged-in organiser; seconds."""
    await accounts.create_user(BENCH_USER, BENCH_PASSWORD, "organiser", "Bench", None)
    app = create_app(replace(settings, run_mail_worker=False), manage_engine=False)
    timings: list[list[float]] = []
    # in this event loop (the pool belongs to it); no lifespan: the engine is the bench's, no background tasks
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        await client.get("/login")
        login = await client.post(
            "/login",
            data={
                "username": BENCH_USER,
                "password": BENCH_PASSWORD,
                "_csrf_token": client.cookies["csrftoken"],
            },
            follow_redirects=False,
        )
        assert login.status_code == 302, login.status_code
        for session_id in session_ids:
            samples = []
            for n in range(rounds):
                await db.fetch('DELETE FROM "audit_entry" WHERE "action" = {}', "broadcast")  # the rate limit
                started = time.perf_counter()
                response = await client.post(
                    f"/admin/sessions/{session_id}/broadcast",
                    data={
                        "_csrf_token": client.cookies["csrftoken"],
                        "target": "session",
                        "text": f"明早7:30在校门口集合乘车（第{n + 1}次通知）。",
                        "action": "send",
                    },
                    follow_redirects=False,
                )
                samples.append(time.perf_counter() - started)
                assert response.status_code in (302, 303), response.status_code
            timings.append(samples)
    return timings


def p99_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def run(engine_name: str, teachers: int, workers: int, baseline_n: int, rounds: int) -> None:
    tmp = tempfile.mkdtemp(prefix="notifybench-")
    pg_name = ""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        pg_name = f"notifybench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'CREATE DATABASE "{pg_name}"')
        await conn.close()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    server = AliyunServer().start()
    settings = Settings(database_url=url, secret_key=SECRET, data_dir=Path(tmp), log_level="WARNING")
    settings = replace(
        settings,
        db_pool_min=1,
        db_pool_max=max(4, 2 * workers),
        sms_provider="aliyun",
        sms_access_key_id=server.access_key_id,
        sms_access_key_secret=server.access_key_secret,
        sms_sign_name="培训项目组",
        sms_templates={"default": "SMS_100000001"},
        sms_endpoint=server.url,
    )
    engine = db.make_engine(settings)
    db.use_engine(engine)
    keys.configure(SECRET)
    sms_state.configure(settings)
    await db.start(engine, settings)
    try:
        await db.migrate(quiet=True)
        starts_on = datetime.now(LOCAL_TZ).date() + timedelta(days=3)
        session_id = await populate(teachers, starts_on)
        moment = datetime.combine(
            starts_on - timedelta(days=3), datetime.min.time(), tzinfo=LOCAL_TZ
        ) + timedelta(hours=9, minutes=5)

        # fan-out, timing each transaction of 200
        durations: list[float] = []
        original = reminders.service.send

        started = time.perf_counter()
        chunk_started = [started]
        counter = {"n": 0}

        async def timed_send(*args, **kwargs):  # type: ignore[no-untyped-def]
            counter["n"] += 1
            result = await original(*args, **kwargs)
            if counter["n"] % reminders.CHUNK == 0:
                now = time.perf_counter()
                durations.append(now - chunk_started[0])
                chunk_started[0] = now
            return result

        reminders.service.send = timed_send  # type: ignore[assignment]
        try:
            done = await reminders.run_due(moment, base_url=BASE_URL)
        finally:
            reminders.service.send = original  # type: ignore[assignment]
        fanout_s = time.perf_counter() - started
        queued = done.get((session_id, "3d"), 0)

        started = time.perf_counter()
        pool = [SmsWorker(settings, batch_size=20) for _ in range(workers)]
        await asyncio.gather(*(w.drain(now=datetime.now(UTC)) for w in pool))
        drain_s = time.perf_counter() - started

        again = await reminders.run_due(moment + timedelta(minutes=30), base_url=BASE_URL)
        sent_rows = int(
            (await db.fetch("SELECT COUNT(*) AS n FROM outbox_message WHERE status = 'sent'"))[0]["n"]
        )
        accepted = list(server.accepted)
        per_phone = Counter(a.phone for a in accepted)
        ids = {a.outbox_id for a in accepted}
        once = (
            len(accepted) == teachers
            and len(ids) == teachers
            and len(per_phone) == teachers
            and max(per_phone.values()) == 1
            and sent_rows == teachers
            and sum(again.values()) == 0
        )
        ceiling = await baseline(settings, baseline_n)
        single = await populate(1, starts_on, first=teachers)
        big, small = await broadcast_requests(settings, [session_id, single], rounds)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        p50 = statistics.median(durations) * 1000 if durations else 0.0
        p99 = (sorted(durations)[max(0, int(len(durations) * 0.99) - 1)] * 1000) if durations else 0.0
        print(
            f"{engine_name:<8} teachers={teachers} workers={workers}\n"
            f"  fan-out  {queued} reminders queued in {fanout_s:6.2f} s = {queued / fanout_s:6.0f} msg/s; "
            f"per transaction of {reminders.CHUNK}: p50 {p50:6.1f} ms, p99 {p99:6.1f} ms\n"
            f"  drain    {len(accepted)} sent in {drain_s:6.2f} s = {len(accepted) / drain_s:6.0f} msg/s through the outbox\n"
            f"  baseline {ceiling:6.0f} msg/s (one SendSms request per message from memory, no database)\n"
            f"  broadcast request to {teachers} teachers ({rounds} POSTs through the app): "
            f"p50 {statistics.median(big) * 1000:8.1f} ms, p99 {p99_ms(big):8.1f} ms = "
            f"{teachers / statistics.median(big):6.0f} msg/s\n"
            f"  baseline request with one send ({rounds} POSTs, a session of one teacher): "
            f"p50 {statistics.median(small) * 1000:8.1f} ms, p99 {p99_ms(small):8.1f} ms\n"
            f"  memory   peak RSS {rss_mb:6.0f} MB (this process, provider server included)\n"
            f"  exactly once: {'yes' if once else 'NO'} ({len(accepted)} accepted, {len(ids)} outbox ids, "
            f"{len(per_phone)} teachers, max {max(per_phone.values()) if per_phone else 0} each, {sent_rows} rows sent, "
            f"second pass queued {sum(again.values())})",
            flush=True,
        )
    finally:
        await db.stop(engine)
        server.stop()
        if pg_name:
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--teachers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--baseline", type=int, default=1000, help="messages for the baseline")
    parser.add_argument("--rounds", type=int, default=5, help="timed broadcast requests per session")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    asyncio.run(run(args.engine, args.teachers, args.workers, args.baseline, args.rounds))


if __name__ == "__main__":
    main()

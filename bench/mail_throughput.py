"""Outbox throughput: how fast the worker drains a queue of confirmation-sized mails into a real SMTP server.

For each engine (a SQLite file, a fresh PostgreSQL database) it migrates, queues N messages shaped like the
enrollment confirmation (HTML + text, an inline QR PNG, the same PNG attached, an .ics), then lets W workers
(asyncio tasks in this process, each claiming its own batches) send them all to an aiosmtpd sink on loopback.
It prints enqueue rate, drain rate (messages/s) and the exactly-once check (messages at the sink, distinct
Message-IDs, rows marked sent). Baseline: the same messages sent with aiosmtplib straight from memory (no
database), over as many reused connections as there are workers — the ceiling the outbox can approach.

    python bench/mail_throughput.py                       # both engines, 500 messages, 1 and 4 workers
    python bench/mail_throughput.py --engine sqlite --messages 200 --workers 1,2
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

import aiosmtplib  # noqa: E402
import asyncpg  # noqa: E402
import qrcode  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from training import db, keys  # noqa: E402
from training.config import Settings  # noqa: E402
from training.mail.mime import build_message, installation_tag  # noqa: E402
from training.mail.outbox import Attachment, enqueue  # noqa: E402
from training.mail.tables import OutboxMessage  # noqa: E402
from training.mail.worker import MailWorker, new_worker_id  # noqa: E402

SECRET = "bench-secret-" + "m" * 40
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.message_ids: set[str] = set()
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                content: bytes = envelope.content
                header = content.split(b"\r\n\r\n", 1)[0]
                for line in header.split(b"\r\n"):
                    if line.lower().startswith(b"message-id:"):
                        with sink.lock:
                            sink.message_ids.add(line.split(b":", 1)[1].strip().decode())
                with sink.lock:
                    sink.count += 1
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> int:
        self.controller.start()
        return self.port

    def stop(self) -> None:
        self.controller.stop()


def qr_png() -> bytes:
    buffer = io.BytesIO()
    qrcode.make("TC" + "A" * 20).save(buffer, format="PNG")
    return buffer.getvalue()


async def queue(n: int, png: bytes) -> float:
    started = time.perf_counter()
    for i in range(n):
        async with db.transaction():
            await enqueue(
                f"teacher{i}@example.org",
                f"报名确认：第9期暑期教师培训班 #{i}",
                "张老师您好，您的报名已确认。" * 5,
                '<p>张老师您好</p><img src="cid:qr" alt="二维码">' * 3,
                [
                    Attachment("二维码.png", "image/png", png, inline_cid="qr"),
                    Attachment("二维码.png", "image/png", png),
                    Attachment("培训日程.ics", "text/calendar", ICS),
                ],
                kind="confirmation",
                to_name="张三",
            )
    return n / (time.perf_counter() - started)


async def drain(settings: Settings, workers: int) -> float:
    started = time.perf_counter()
    pool = [MailWorker(settings, worker_id=new_worker_id(f"/{k}")) for k in range(workers)]
    await asyncio.gather(*(w.drain() for w in pool))
    return time.perf_counter() - started


async def baseline(settings: Settings, n: int, senders: int, png: bytes) -> float:
    """aiosmtplib alone: the same messages, built in memory, `senders` connections at a time."""
    rows = [
        {
            "id": i,
            "to_addr": f"张三 <teacher{i}@example.org>",
            "subject": f"报名确认 #{i}",
            "body_text": "张老师您好，您的报名已确认。" * 5,
            "body_html": '<p>张老师您好</p><img src="cid:qr" alt="二维码">' * 3,
            "attachments": [
                Attachment("二维码.png", "image/png", png, inline_cid="qr").to_json(),
                Attachment("二维码.png", "image/png", png).to_json(),
                Attachment("培训日程.ics", "text/calendar", ICS).to_json(),
            ],
            "created_at": None,
        }
        for i in range(n)
    ]
    todo = iter(rows)

    async def sender() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.smtp_port, start_tls=False)
        await smtp.connect()
        for row in todo:
            await smtp.send_message(
                build_message(row, settings.mail_sender, installation=installation_tag(settings.secret_key))
            )
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return n / (time.perf_counter() - started)


async def run_engine(engine_name: str, messages: int, worker_counts: list[int]) -> None:
    png = qr_png()
    tmp = tempfile.mkdtemp(prefix="mailbench-")
    pg_name = ""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        pg_name = f"mailbench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'CREATE DATABASE "{pg_name}"')
        await conn.close()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    settings = Settings(database_url=url, secret_key=SECRET, data_dir=Path(tmp), log_level="WARNING")
    settings = replace(settings, db_pool_min=1, db_pool_max=max(4, 2 * max(worker_counts)))
    engine = db.make_engine(settings)
    db.use_engine(engine)
    keys.configure(SECRET)
    await db.start(engine, settings)
    try:
        await db.migrate(quiet=True)
        for workers in worker_counts:
            await OutboxMessage.delete(force=True)
            sink = Sink()
            run_settings = replace(settings, smtp_port=sink.start())
            try:
                enqueue_rate = await queue(messages, png)
                seconds = await drain(run_settings, workers)
                received, ids = sink.count, len(sink.message_ids)
                sent_rows = await OutboxMessage.count().where(OutboxMessage.status == "sent")
                ceiling = await baseline(run_settings, messages, workers, png)
            finally:
                sink.stop()
            ok = received == messages and ids == messages and sent_rows == messages
            print(
                f"{engine_name:<8} workers={workers}  enqueue {enqueue_rate:5.0f} msg/s   "
                f"drain {messages / seconds:5.0f} msg/s ({seconds:5.2f} s)   "
                f"baseline (aiosmtplib alone, no database) {ceiling:5.0f} msg/s   "
                f"exactly once: {'yes' if ok else 'NO'} ({received} at sink, {ids} ids, {sent_rows} rows sent)",
                flush=True,
            )
    finally:
        await db.stop(engine)
        if pg_name:
            conn = await asyncpg.connect(PG_ADMIN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--workers", default="1,4", help="comma-separated worker counts")
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    if args.engine == "both":
        # One process per engine: Piccolo's migration bookkeeping binds to the first engine it meets.
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        for name in ("sqlite", "postgres"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--engine",
                    name,
                    "--messages",
                    str(args.messages),
                    "--workers",
                    args.workers,
                ],
                check=True,
            )
        return
    asyncio.run(run_engine(args.engine, args.messages, counts))


if __name__ == "__main__":
    main()

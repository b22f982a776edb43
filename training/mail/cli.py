"""`training worker`: the mail outbox worker as its own process (docker compose runs one beside the app)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from training.config import Settings


def register(subparsers: Any) -> None:
    worker = subparsers.add_parser(
        "worker", help="send queued mail until stopped (SIGTERM/SIGINT finish the message in hand)"
    )
    worker.add_argument("--concurrency", type=int, default=1, help="workers in this process (default 1)")
    worker.add_argument("--once", action="store_true", help="send what is due now, then exit")
    worker.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from training import memory
    from training.app import configure_logging
    from training.cli import run_with_database
    from training.mail.worker import MailWorker, run_workers

    configure_logging(settings.log_level)

    async def work() -> int:
        if args.once:
            from training.sms.worker import SmsWorker

            result = await MailWorker(settings).drain()
            print(f"sent {result.sent}, retry later {result.retried}, failed {result.failed}")
            sms = await SmsWorker(settings).drain()
            if sms.claimed:
                print(f"sms: sent {sms.sent}, retry later {sms.retried}, failed {sms.failed}")
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        # Printed once the signal handlers are in place: from here on SIGTERM means "finish and stop".
        print(f"mail worker started ({max(1, args.concurrency)} in this process)", flush=True)
        # The same malloc tuning as the web process (training/memory.py): a long-running process that renders
        # QR codes and PDFs and frees them again.
        memory.tune()
        trimming = asyncio.create_task(memory.trim_periodically(settings.memory_trim_interval_s))
        try:
            await run_workers(settings, stop, concurrency=max(1, args.concurrency))
        finally:
            trimming.cancel()
        print("mail worker stopped", flush=True)
        return 0

    return int(run_with_database(settings, work))

"""The outbox workers and what runs beside them, wired together: the mail workers, the SMS workers, the outbox's
housekeeping and the reminders. Runs as `training worker` (its own process; docker compose runs one beside the
app) or inside `training serve` (`run_in_server`, off when TRAINING_MAIL_WORKER=false).

A top-level module, not a layer: it imports `mail`, `sms` and `notify`, none of which imports another above it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

from training.config import Settings


async def run_workers(settings: Settings, stop: asyncio.Event, concurrency: int = 1) -> None:
    """`concurrency` mail and SMS workers in this process (each claims its own batches), the outbox's
    housekeeping and the reminders, until `stop` is set."""
    from training.mail import outbox
    from training.mail.worker import MailWorker, housekeeping, new_worker_id
    from training.notify.reminders import run_periodically as reminders
    from training.sms import state as sms_state
    from training.sms.worker import SmsWorker

    sms_state.configure(settings)
    workers: list[MailWorker] = [
        MailWorker(settings, worker_id=new_worker_id(f"/{n}")) for n in range(concurrency)
    ]
    workers += [SmsWorker(settings, worker_id=new_worker_id(f"/sms{n}")) for n in range(concurrency)]
    async with outbox.pg_listener(settings):
        await asyncio.gather(
            *(worker.run(stop) for worker in workers), housekeeping(stop), reminders(settings.base_url, stop)
        )


async def run_in_server(settings: Settings) -> None:
    """The workers inside `training serve` (off when TRAINING_MAIL_WORKER=false, e.g. when a separate
    `training worker` runs). When the server stops, the message in hand is finished and recorded first."""
    from training.mail.sender import send_budget

    if not settings.run_mail_worker:
        return
    stop = asyncio.Event()
    inner = asyncio.create_task(run_workers(settings, stop), name="mail-worker")
    try:
        await asyncio.shield(inner)
    except asyncio.CancelledError:
        stop.set()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(inner, timeout=send_budget(settings) + 5)
        raise


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
    from training.mail.worker import MailWorker
    from training.sms.worker import SmsWorker

    configure_logging(settings.log_level)

    async def work() -> int:
        if args.once:
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

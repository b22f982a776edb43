"""PostgreSQL: scans that arrive together share one statement, one round trip and one commit (group commit).

Each scan on its own cost a round trip, a statement and a commit: ~0.4 ms of PostgreSQL CPU and ~0.2 ms of socket
calls per scan, the largest share of a scan's cost under load (docs/checkin.md). Here a scan is queued; the queue
goes to the database as one multi-row statement when fewer than `MAX_IN_FLIGHT` batches are running, so a lone
scan leaves at once (no timer, no added latency when the door is quiet) and under load each batch carries whoever
arrived while the previous one was in flight.

The statement (`sql.BATCH_SQL`) is the single-scan rule applied to many rows: gather the facts of every scan, insert the ones that
pass (`INSERT ... SELECT ... ON CONFLICT DO NOTHING`), return one row of facts per scan with the id it inserted.
The unique indexes stay the arbiter: of two scans of one teacher in the same batch, the earlier one inserts and
the later one finds no row of its own and asks who won (`scans._scan_steps`), exactly as a race between two
statements does. Scans reusing a client id already in the batch wait for the next batch, where they read as the
retry they are.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from training.checkin import sql

log = logging.getLogger("training.checkin")

MAX_IN_FLIGHT = 2  # batches running at once per process (each holds one pooled connection)
MAX_ROWS = 200  # scans per statement


@dataclass(frozen=True)
class ScanRow:
    """One scan as the statement takes it: either an enrollment id (from a QR token) or a manual code."""

    block_id: int
    enrollment_id: int | None
    manual_code: str | None
    scanned_at: datetime
    recorded_at: datetime
    staff: int | None
    staff_name: str
    device_id: str
    client_id: str
    local_day: date
    nonce: str | None = None  # the token_nonce a QR code is valid for; None for a manual code
    in_window: bool = True  # status.scan_in_window
    local_seconds: int = 0  # the scan's local time of day in seconds (status.in_block_window)
    confirmed: bool = False  # staff confirmed a scan outside the block's check-in window


async def execute(scans: Sequence[ScanRow]) -> list[dict[str, Any]]:
    """Run the statement for these scans (their client ids distinct): one row of facts per scan, in order."""
    columns = list(
        zip(
            *(
                (
                    s.block_id,
                    s.enrollment_id,
                    s.manual_code,
                    s.scanned_at,
                    s.recorded_at,
                    s.staff,
                    s.staff_name,
                    s.device_id,
                    s.client_id,
                    s.local_day,
                    s.nonce,
                    s.in_window,
                    s.local_seconds,
                    s.confirmed,
                )
                for s in scans
            ),
            strict=True,
        )
    )
    rows = await sql.scan_batch([list(column) for column in columns])
    if len(rows) != len(scans):
        raise RuntimeError(f"check-in batch returned {len(rows)} rows for {len(scans)} scans")
    return rows


_Waiting = tuple[ScanRow, "asyncio.Future[dict[str, Any]]"]


class ScanBatcher:
    """The queue of one event loop (each `training serve` worker has its own)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._waiting: list[_Waiting] = []
        self._in_flight = 0
        self._flush_scheduled = False
        self._running: set[asyncio.Task[None]] = set()
        self.batches = 0  # statements sent (tests check that a crowd shares them)

    async def submit(self, scan: ScanRow) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = self.loop.create_future()
        self._waiting.append((scan, future))
        self._schedule()
        return await future

    def _schedule(self) -> None:
        if self._flush_scheduled or self._in_flight >= MAX_IN_FLIGHT or not self._waiting:
            return
        self._flush_scheduled = True
        # call_soon: scans whose requests are handled in this same turn of the loop join the batch. A fresh context:
        # the batch belongs to no request (and to no request's transaction).
        self.loop.call_soon(self._flush, context=contextvars.Context())

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._in_flight >= MAX_IN_FLIGHT:
            return
        batch: list[_Waiting] = []
        held: list[_Waiting] = []
        client_ids: set[str] = set()
        for waiting in self._waiting:
            scan, future = waiting
            if future.done():  # its request went away before the batch left: nothing to record
                continue
            if scan.client_id in client_ids or len(batch) >= MAX_ROWS:
                held.append(waiting)
            else:
                client_ids.add(scan.client_id)
                batch.append(waiting)
        self._waiting = held
        if not batch:
            return
        self._in_flight += 1
        self.batches += 1
        task = self.loop.create_task(self._run(batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[_Waiting]) -> None:
        try:
            try:
                rows = await execute([scan for scan, _ in batch])
            except Exception:
                if len(batch) == 1:
                    raise
                # One scan the database refused (or a deadlock with another worker) must not fail the others.
                log.warning(
                    "check-in batch of %d failed; retrying its scans one by one", len(batch), exc_info=True
                )
                for scan, future in batch:
                    try:
                        row = (await execute([scan]))[0]
                    except Exception as error:
                        _settle(future, error=error)
                    else:
                        _settle(future, row=row)
                return
            for (_, future), row in zip(batch, rows, strict=True):
                _settle(future, row=row)
        except BaseException as error:
            for _, future in batch:
                _settle(future, error=error)
            if not isinstance(error, Exception):
                raise
        finally:
            self._in_flight -= 1
            self._schedule()


def _settle(
    future: asyncio.Future[dict[str, Any]],
    *,
    row: dict[str, Any] | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(row or {})


_batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ScanBatcher] = weakref.WeakKeyDictionary()
_last: ScanBatcher | None = None  # the one a server process uses, without a weak-dictionary look-up per scan


def batcher() -> ScanBatcher:
    global _last
    loop = asyncio.get_running_loop()
    if _last is not None and _last.loop is loop:
        return _last
    found = _batchers.get(loop)
    if found is None:
        found = _batchers[loop] = ScanBatcher(loop)
    _last = found
    return found

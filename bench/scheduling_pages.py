"""Scheduling pages and API with the demo world (15 past sessions, 2 upcoming, 1000+ teachers) on SQLite.

Baseline: /healthz through the same app and client (one trivial query). Run:
    PYTHONPATH=. /work/main/.venv/bin/python bench/scheduling_pages.py [rounds]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from litestar.testing import TestClient

from training import db, keys
from training.accounts import service as accounts
from training.app import create_app
from training.config import Settings
from training.demo import load_demo
from training.programmes.tables import TrainingSession

SECRET = "bench-secret-key-0123456789abcdef0123456789"


async def prepare(settings: Settings) -> int:
    engine = db.make_engine(settings)
    db.use_engine(engine)
    await db.start(engine, settings)
    await db.migrate(quiet=True)
    await load_demo(seed=2019)
    await accounts.create_user("bench", "long-Quiet-river-2031", "organiser")
    row = (
        await TrainingSession.select(TrainingSession.id)
        .where(TrainingSession.title == "第10期暑期教师培训班")
        .first()
    )
    assert row is not None
    return int(row["id"])


def timed(client: TestClient, path: str, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        data_dir=folder,
        secret_key=SECRET,
        log_level="WARNING",
        run_mail_worker=False,
    )
    keys.configure(SECRET)
    session_id = asyncio.run(prepare(settings))
    app = create_app(settings, manage_engine=False)
    with TestClient(app=app) as client:
        client.get("/login")
        client.post(
            "/login",
            data={
                "username": "bench",
                "password": "long-Quiet-river-2031",
                "_csrf_token": client.cookies["csrftoken"],
            },
        )
        paths = [
            "/healthz",
            "/admin",
            f"/admin/sessions/{session_id}",
            f"/admin/sessions/{session_id}/quotas",
            f"/admin/sessions/{session_id}/timetable",
            "/admin/calendar",
            "/api/v1/sessions?limit=50",
            f"/admin/sessions/{session_id}/calendar.ics",
            "/admin/audit",
        ]
        print(
            f"{'path':<44} {'median ms':>10} {'p95 ms':>8}   ({rounds} sequential requests each, SQLite, demo data)"
        )
        for path in paths:
            timed(client, path, 3)  # warm up
            samples = sorted(timed(client, path, rounds))
            p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
            label = path + ("   <- baseline" if path == "/healthz" else "")
            print(f"{label:<44} {statistics.median(samples):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()

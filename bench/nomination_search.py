"""The coordinator's nomination page (search of her county's teachers on file, flags, her nominees) on the demo
world, with more fictitious teachers when asked (`--teachers 20000`: about 2,000 in Jiange), on SQLite.

Baseline: /healthz through the same app and client (one trivial query). Run:
    PYTHONPATH=. .venv/bin/python bench/nomination_search.py [--rounds 30] [--teachers N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote

from litestar.testing import TestClient

from training import db, keys
from training.app import create_app
from training.config import Settings
from training.demo import load_demo
from training.people.tables import County, Teacher
from training.programmes.tables import TrainingSession

SECRET = "bench-secret-key-0123456789abcdef0123456789"


async def prepare(settings: Settings, teachers: int | None) -> tuple[int, int]:
    engine = db.make_engine(settings)
    db.use_engine(engine)
    await db.start(engine, settings)
    await db.migrate(quiet=True)
    await load_demo(seed=2019, teacher_count=teachers)
    cohort = (
        await TrainingSession.select(TrainingSession.id)
        .where((TrainingSession.mode == "nomination") & (TrainingSession.status == "published"))
        .first()
    )
    jiange = await County.select(County.id).where(County.code == "510823").first()
    assert cohort is not None and jiange is not None
    return int(cohort["id"]), await Teacher.count().where(Teacher.county == jiange["id"])


def timed(client: TestClient, path: str, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--teachers", type=int, default=None)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp())
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        data_dir=folder,
        secret_key=SECRET,
        log_level="WARNING",
        run_mail_worker=False,
    )
    keys.configure(SECRET)
    cohort, in_county = asyncio.run(prepare(settings, args.teachers))
    app = create_app(settings, manage_engine=False)
    with TestClient(app=app) as client:
        client.get("/login")
        client.post(
            "/login",
            data={
                "username": "jiange",
                "password": "coordinator-510823",
                "_csrf_token": client.cookies["csrftoken"],
            },
        )
        paths = [
            "/healthz",
            f"/nominations/{cohort}",
            f"/nominations/{cohort}?page=5",
            f"/nominations/{cohort}?q={quote('王')}",
            f"/nominations/{cohort}?q={quote('实验小学')}",
            f"/nominations/{cohort}?q={quote('数学')}",
            f"/nominations/{cohort}?q={quote('无此人')}",
        ]
        print(
            f"Jiange teachers on file: {in_county}; {args.rounds} sequential requests each, SQLite, demo data"
        )
        print(f"{'path':<40} {'median ms':>10} {'p95 ms':>8}")
        for path in paths:
            timed(client, path, 3)  # warm up
            samples = sorted(timed(client, path, args.rounds))
            p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
            label = unquote(path) + ("   <- baseline" if path == "/healthz" else "")
            print(f"{label:<40} {statistics.median(samples):>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()

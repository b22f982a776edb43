"""Time each dashboard query at several dataset sizes and print how the time grows.

    python bench/stats.py                          # PostgreSQL at 10k and 100k enrollments (+ SQLite 10k, 100k)
    python bench/stats.py --sizes 10000 100000 1000000 --sqlite-sizes 10000 100000

Databases are made by bench/make_dataset.py (reused when present; --regenerate to rebuild them). Each view is run
once to warm the cache, then --runs times; the median is reported, with the growth factor from the previous
size (a 10× larger dataset that takes ≤ 10× longer grows no faster than linearly). Target: every view under
250 ms at 1,000,000 enrollments on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from bench import make_dataset
from training import db
from training.core.actor import Actor
from training.stats import schema, service
from training.stats.figures import Filters

TARGET_MS = 250.0
ORGANISER = Actor(0, "bench", "bench", "organiser")


async def views() -> dict[str, Callable[[], Awaitable[Any]]]:
    """The dashboard's queries, each as the page runs it; drill-downs pick the busiest county and teacher."""
    busy_county = (
        await db.fetch("SELECT county FROM stats_fact GROUP BY county ORDER BY COUNT(*) DESC LIMIT 1")
    )[0]["county"]
    busy_teacher = (
        await db.fetch(
            "SELECT teacher FROM stats_fact WHERE county = {} ORDER BY teacher LIMIT 1", busy_county
        )
    )[0]["teacher"]
    years = await service.years()
    recent = Filters(year_from=years[-5], year_to=years[-1])
    summer = Filters(programme_id=1)
    county = Filters(county_id=int(busy_county))
    subject_level = Filters(school_level="primary", subject="数学")
    coordinator = Actor(0, "c", "c", "coordinator", int(busy_county))
    return {
        "breakdown (all)": lambda: service.breakdown(Filters()),
        "breakdown (summer)": lambda: service.breakdown(summer),
        "breakdown (level+subject)": lambda: service.breakdown(subject_level),
        "teachers_by_county (all)": lambda: service.teachers_by_county(Filters()),
        "teachers_by_county (5 years)": lambda: service.teachers_by_county(recent),
        "teachers_trained (all)": lambda: service.teachers_trained(Filters()),
        "sessions_held (all)": lambda: service.sessions_held(Filters()),
        "dashboard page (organiser, all)": lambda: service.dashboard(Filters(), ORGANISER),
        "dashboard page (coordinator)": lambda: service.dashboard(Filters(), coordinator),
        "county schools": lambda: service.county_schools(int(busy_county), Filters(), ORGANISER),
        "county teachers (page 1)": lambda: service.county_teachers(int(busy_county), Filters(), ORGANISER),
        "county teachers (5 years)": lambda: service.county_teachers(int(busy_county), recent, ORGANISER),
        "teacher history": lambda: service.teacher_history(int(busy_teacher), ORGANISER),
        "breakdown (one county)": lambda: service.breakdown(county),
    }


async def time_views(url: str, runs: int) -> dict[str, float]:
    engine = await make_dataset.make_engine(url)
    try:
        # a dataset built by an older revision: add any statistics index added since (all IF NOT EXISTS)
        for statement in [*schema.CELL_SQL, *schema.INDEX_SQL]:
            await engine.run_ddl(statement)
        if not db.is_sqlite(engine):
            await engine.run_ddl("VACUUM ANALYZE stats_teacher_years")
        out: dict[str, float] = {}
        for name, run in (await views()).items():
            await run()  # warm
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                await run()
                samples.append((time.perf_counter() - t0) * 1000)
            out[name] = statistics.median(samples)
        return out
    finally:
        await db.stop(engine)


async def pg_exists(name: str) -> bool:
    conn = await asyncpg.connect(make_dataset.PG_ADMIN)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def ensure(size: int, sqlite: bool, regenerate: bool) -> str:
    args = argparse.Namespace(
        enrollments=size,
        teachers=None,
        counties=183,
        years=20,
        session_size=500,
        blocks=4,
        seed=7,
        sqlite=Path(f"/tmp/training_bench_{size}.sqlite3") if sqlite else None,
        database=None,
        budget=1800.0,
    )
    if sqlite:
        if args.sqlite.exists() and not regenerate:
            return f"sqlite:///{args.sqlite}"
    elif not regenerate and asyncio.run(pg_exists(f"training_bench_{size}")):
        return make_dataset.PG_ADMIN.rsplit("/", 1)[0] + f"/training_bench_{size}"
    return make_dataset.build(args)


def report(engine_name: str, results: dict[int, dict[str, float]]) -> None:
    sizes = sorted(results)
    names = list(results[sizes[0]])
    print(f"\n== {engine_name}: median ms per view (growth × vs previous size)")
    header = f"{'view':<34}" + "".join(f"{s:>20,}" for s in sizes)
    print(header)
    print("-" * len(header))
    for name in names:
        cells = []
        for i, s in enumerate(sizes):
            ms = results[s][name]
            growth = f" ({ms / results[sizes[i - 1]][name]:.1f}×)" if i else ""
            flag = " !" if ms > TARGET_MS else ""
            cells.append(f"{ms:8.1f}{growth}{flag}")
        print(f"{name:<34}" + "".join(f"{c:>20}" for c in cells))
    worst = max(results[sizes[-1]].values())
    print(
        f"slowest view at {sizes[-1]:,}: {worst:.1f} ms (target {TARGET_MS:.0f} ms at 1,000,000 on PostgreSQL)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--sqlite-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    for engine_name, sizes, sqlite in (
        ("PostgreSQL", args.sizes, False),
        ("SQLite", args.sqlite_sizes, True),
    ):
        if not sizes:
            continue
        results = {}
        for size in sizes:
            url = ensure(size, sqlite, args.regenerate)
            results[size] = asyncio.run(time_views(url, args.runs))
            print(f"timed {engine_name} at {size:,} enrollments", flush=True)
        report(engine_name, results)


if __name__ == "__main__":
    main()

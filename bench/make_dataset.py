"""Generate a province-sized training history for the statistics benchmark.

    python bench/make_dataset.py --enrollments 1000000            # PostgreSQL database training_bench_1000000
    python bench/make_dataset.py --enrollments 100000 --sqlite /tmp/bench.sqlite3

Defaults: 200,000 teachers for 1,000,000 enrollments (teachers = enrollments / 5), 183 counties, 20 years,
sessions of 500 teachers with 4 half-day blocks, ~90 % block attendance, certificates for 3 of 4 blocks.
Bulk paths: COPY (asyncpg, triggers and FK checks off for the load) on PostgreSQL, executemany in one
transaction on SQLite; then the statistics table is rebuilt in one INSERT … SELECT and the triggers reinstalled.
The schema is the real one (the project's migrations). A time budget stops the run if it is exceeded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")
os.environ.setdefault("TRAINING_DATA_DIR", "/tmp/training-bench")

import asyncpg

from training import db
from training.config import Settings
from training.demo import SUBJECTS
from training.stats import schema

PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
LEVELS = ["primary", "primary", "junior", "senior", "kindergarten", "vocational", "nine_year"]
STATUSES = ["confirmed"] * 17 + ["cancelled", "waitlisted", "rejected"]


class Budget:
    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.seconds = seconds

    def step(self, what: str) -> None:
        elapsed = time.monotonic() - self.start
        print(f"  {elapsed:7.1f}s  {what}", flush=True)
        if elapsed > self.seconds:
            raise SystemExit(f"time budget of {self.seconds:.0f}s exceeded after: {what}")


class Plan:
    """Every row, generated lazily and deterministically (seeded) so nothing big sits in memory."""

    def __init__(
        self,
        enrollments: int,
        teachers: int,
        counties: int,
        years: int,
        session_size: int,
        blocks: int,
        seed: int,
    ) -> None:
        self.n_enrollments = enrollments
        self.n_teachers = max(1, teachers)
        self.n_counties = counties
        self.years = list(range(2026 - years, 2026))
        self.session_size = min(session_size, self.n_teachers)
        self.blocks = blocks
        self.seed = seed
        self.n_sessions = max(1, -(-enrollments // self.session_size))
        self.schools_per_county = 20
        rng = random.Random(seed)
        self.teacher_county = [rng.randrange(counties) + 1 for _ in range(self.n_teachers)]
        self.teacher_school = [
            (c - 1) * self.schools_per_county + rng.randrange(self.schools_per_county) + 1
            for c in self.teacher_county
        ]
        self.teacher_subject = [rng.choice(SUBJECTS) for _ in range(self.n_teachers)]

    def counties(self) -> Iterator[tuple[Any, ...]]:
        for i in range(1, self.n_counties + 1):
            yield (i, f"5{i:05d}", f"县{i:03d}", "四川省", f"州{i % 21:02d}", i % 7 != 0)

    def schools(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed + 1)
        for c in range(1, self.n_counties + 1):
            for k in range(self.schools_per_county):
                sid = (c - 1) * self.schools_per_county + k + 1
                yield (sid, c, f"县{c:03d}第{k + 1}学校", rng.choice(LEVELS))

    def programmes(self) -> list[tuple[Any, ...]]:
        return [
            (1, "summer", "暑期教师培训班", "summer"),
            (2, "jiangsu", "彩虹行动", "exchange"),
            (3, "online", "线上研修", "other"),
        ]

    def session(self, sid: int) -> tuple[int, int, int]:
        """(id, programme, year)"""
        year = self.years[(sid - 1) * len(self.years) // self.n_sessions]
        programme = 1 if sid % 10 < 7 else (2 if sid % 10 < 9 else 3)
        return sid, programme, year

    def sessions(self) -> Iterator[tuple[Any, ...]]:
        for sid in range(1, self.n_sessions + 1):
            _, programme, year = self.session(sid)
            start = date(year, 7, 1) + timedelta(days=sid % 60)
            yield (
                sid,
                programme,
                sid,
                year,
                f"{year} 第{sid}班",
                start,
                start + timedelta(days=1),
                self.session_size,
                "closed",
                9.0,
            )

    def block_rows(self) -> Iterator[tuple[Any, ...]]:
        for sid in range(1, self.n_sessions + 1):
            _, _, year = self.session(sid)
            for k in range(self.blocks):
                bid = (sid - 1) * self.blocks + k + 1
                yield (
                    bid,
                    sid,
                    date(year, 7, 1),
                    "morning" if k % 2 == 0 else "afternoon",
                    datetime(2000, 1, 1, 8, 30).time(),
                    datetime(2000, 1, 1, 11, 30).time(),
                    3.0,
                    bid % 50 == 0,
                )

    def teachers(self) -> Iterator[tuple[Any, ...]]:
        for i in range(self.n_teachers):
            tid = i + 1
            yield (
                tid,
                f"{tid:064x}",
                "bench",
                "5100**********0000",
                f"教师{tid}",
                f"p{tid:063x}",
                "bench",
                f"199****{tid % 10000:04d}",
                self.teacher_county[i],
                self.teacher_school[i],
                f"学校{self.teacher_school[i]}",
                self.teacher_subject[i],
            )

    def enrollment_rows(self) -> Iterator[tuple[int, int, int, int, int, str]]:
        """(id, session, teacher, county, school, status): each session samples distinct teachers."""
        rng = random.Random(self.seed + 2)
        eid = 0
        for sid in range(1, self.n_sessions + 1):
            size = min(self.session_size, self.n_enrollments - eid)
            for t in rng.sample(range(self.n_teachers), size):
                eid += 1
                county = self.teacher_county[t] if rng.random() < 0.97 else rng.randrange(self.n_counties) + 1
                yield (eid, sid, t + 1, county, self.teacher_school[t], rng.choice(STATUSES))

    def attendance(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """('check_in', row) and ('certificate', row) for confirmed enrollments."""
        rng = random.Random(self.seed + 3)
        at = datetime(2020, 7, 1, tzinfo=UTC)
        seq: dict[int, int] = {}
        cid = 0
        for eid, sid, _t, _c, _s, status in self.enrollment_rows():
            if status != "confirmed":
                continue
            attended = 0
            for k in range(self.blocks):
                if rng.random() < 0.9:
                    bid = (sid - 1) * self.blocks + k + 1
                    cid += 1
                    attended += 1
                    yield "check_in", (cid, eid, bid, at, at, f"b{cid}")
            if attended >= max(1, self.blocks * 3 // 4):
                seq[sid] = seq.get(sid, 0) + 1
                revoked = at if rng.random() < 0.02 else None
                yield (
                    "certificate",
                    (
                        eid,
                        eid,
                        sid,
                        seq[sid],
                        f"BS{eid:010d}",
                        "V",
                        "x",
                        "x",
                        "x",
                        attended * 3.0,
                        at,
                        revoked,
                    ),
                )


COLUMNS = {
    "county": ("id", "code", "name", "province", "prefecture", "aided"),
    "school": ("id", "county", "name", "level"),
    "programme": ("id", "slug", "name", "kind"),
    "training_session": (
        "id",
        "programme",
        "number",
        "year",
        "title",
        "starts_on",
        "ends_on",
        "capacity",
        "status",
        "completion_hours",
    ),
    "block": ("id", "session", "day", "half_day", "starts_at", "ends_at", "hours", "cancelled"),
    "teacher": (
        "id",
        "id_hash",
        "id_encrypted",
        "id_masked",
        "name",
        "phone_hash",
        "phone_encrypted",
        "phone_masked",
        "county",
        "school",
        "school_name",
        "subject",
    ),
    "enrollment": ("id", "session", "teacher", "county", "school", "status", "manual_code", "holds_seat"),
    "check_in": ("id", "enrollment", "block", "scanned_at", "recorded_at", "client_id"),
    "certificate": (
        "id",
        "enrollment",
        "session",
        "seq",
        "serial",
        "verification_code",
        "teacher_name",
        "session_title",
        "session_dates",
        "hours",
        "issued_at",
        "revoked_at",
    ),
}


def enrollment_records(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for eid, sid, t, c, s, status in plan.enrollment_rows():
        yield (eid, sid, t, c, s, status, f"B{eid:09d}", status == "confirmed")


async def make_engine(url: str) -> Any:
    settings = Settings(database_url=url, secret_key="bench-" + "x" * 40, db_pool_min=1, db_pool_max=4)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    # Piccolo's own migration-history table keeps the engine it first saw; one process here may build a
    # PostgreSQL and then a SQLite dataset, so point it at this engine too.
    from piccolo.apps.migrations.tables import Migration

    Migration._meta.db = engine
    await db.start(engine, settings)
    return engine


async def load_postgres(plan: Plan, name: str, budget: Budget) -> str:
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    engine = await make_engine(url)
    await db.migrate(quiet=True)
    await schema.drop_triggers(engine)
    budget.step("schema migrated, statistics triggers dropped for the load")
    conn = await asyncpg.connect(url)
    await conn.execute("SET session_replication_role = replica")  # no FK checks during the bulk load
    await conn.execute("SET synchronous_commit = off")

    async def copy(table: str, records: Any) -> None:
        await conn.copy_records_to_table(table, records=records, columns=list(COLUMNS[table]))
        budget.step(f"COPY {table}")

    await copy("county", plan.counties())
    await copy("school", plan.schools())
    await copy("programme", plan.programmes())
    await copy("training_session", plan.sessions())
    await copy("block", plan.block_rows())
    await copy("teacher", plan.teachers())
    await copy("enrollment", enrollment_records(plan))
    checkins: list[tuple[Any, ...]] = []
    certificates: list[tuple[Any, ...]] = []
    for kind, row in plan.attendance():
        (checkins if kind == "check_in" else certificates).append(row)
        if len(checkins) >= 500_000:
            await conn.copy_records_to_table("check_in", records=checkins, columns=list(COLUMNS["check_in"]))
            checkins.clear()
            budget.step("COPY check_in (500k)")
    await conn.copy_records_to_table("check_in", records=checkins, columns=list(COLUMNS["check_in"]))
    await copy("certificate", certificates)
    for table in COLUMNS:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"
        )
    await conn.close()
    await finish(engine, budget)
    await db.stop(engine)
    return url


def load_sqlite(plan: Plan, path: Path, budget: Budget) -> str:
    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"

    async def prepare() -> None:
        engine = await make_engine(url)
        await db.migrate(quiet=True)
        await schema.drop_triggers(engine)

    asyncio.run(prepare())
    budget.step("schema migrated, statistics triggers dropped for the load")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")

    def insert(table: str, rows: Any) -> None:
        cols = COLUMNS[table]
        conn.executemany(
            f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)})', rows
        )

    with conn:
        for table, rows in (
            ("county", plan.counties()),
            ("school", plan.schools()),
            ("programme", plan.programmes()),
            ("training_session", plan.sessions()),
            ("block", plan.block_rows()),
            ("teacher", plan.teachers()),
            ("enrollment", enrollment_records(plan)),
        ):
            insert(table, rows)
            budget.step(f"insert {table}")
        checkins, certificates = [], []
        for kind, row in plan.attendance():
            (checkins if kind == "check_in" else certificates).append(row)
        insert("check_in", checkins)
        insert("certificate", certificates)
        budget.step("insert check_in, certificate")
    conn.close()

    async def done() -> None:
        engine = await make_engine(url)
        await finish(engine, budget)

    asyncio.run(done())
    return url


async def finish(engine: Any, budget: Budget) -> None:
    await schema.install_triggers(engine)
    n = await schema.rebuild()
    budget.step(f"stats_fact rebuilt ({n} rows), triggers reinstalled")
    await engine.run_ddl("ANALYZE" if db.is_sqlite(engine) else "VACUUM ANALYZE")
    budget.step("VACUUM ANALYZE")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enrollments", type=int, default=1_000_000)
    parser.add_argument("--teachers", type=int, default=None, help="default: enrollments / 5")
    parser.add_argument("--counties", type=int, default=183)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--session-size", type=int, default=500)
    parser.add_argument("--blocks", type=int, default=4, help="blocks per session")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", type=Path, help="write a SQLite file instead of a PostgreSQL database")
    parser.add_argument("--database", help="PostgreSQL database name (default training_bench_<enrollments>)")
    parser.add_argument("--budget", type=float, default=900.0, help="stop if the load takes longer (seconds)")
    return parser.parse_args()


def build(args: argparse.Namespace) -> str:
    plan = Plan(
        args.enrollments,
        args.teachers or args.enrollments // 5,
        args.counties,
        args.years,
        args.session_size,
        args.blocks,
        args.seed,
    )
    budget = Budget(args.budget)
    print(
        f"dataset: {args.enrollments:,} enrollments, {plan.n_teachers:,} teachers, {plan.n_sessions:,} sessions, "
        f"{args.counties} counties, {args.years} years -> {'SQLite ' + str(args.sqlite) if args.sqlite else 'PostgreSQL'}"
    )
    if args.sqlite:
        return load_sqlite(plan, args.sqlite, budget)
    return asyncio.run(load_postgres(plan, args.database or f"training_bench_{args.enrollments}", budget))


if __name__ == "__main__":
    print(build(parse()))

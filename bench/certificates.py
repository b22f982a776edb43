"""Benchmark: 1,000 certificates end to end, single process versus all cores, in the same run.

End to end = claim serials and snapshots (database) → render at 300 dpi → PDF (+ PNG preview) written to disk →
recorded in the database with the mail (PDF attached) queued in the outbox. A render-only figure (no database)
is printed too, to show where the time goes.

    python bench/certificates.py [--count 1000] [--database sqlite|postgres]

Target (issue 6): at least 30 certificates/s on this 2-core machine at 300 dpi.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training import db, keys
from training.config import Settings

TARGET_PER_S = 30.0
NAMES = ["王芳", "张三梅", "欧阳小明", "阿苦日哈·吉克", "李建国", "吉克阿依莫", "赵雪琴", "曲比阿呷嫫拉什"]


class Clock:
    """Wall time and CPU time of this process and of finished child processes (pool workers)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = self._cpu()
        self.seconds = self.rate = self.cpu_ms = 0.0

    @staticmethod
    def _cpu() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime

    def stop(self, n: int) -> Clock:
        self.seconds = time.perf_counter() - self.wall
        self.rate = n / self.seconds if self.seconds else 0.0
        self.cpu_ms = (self._cpu() - self.cpu) * 1000 / max(n, 1)
        return self


async def make_session(count: int, tag: str) -> int:
    from training.checkin.tables import CheckIn
    from training.enrollment.tables import Enrollment
    from training.people.identity import check_digit
    from training.people.service import TeacherProfile, profile_columns, protected_columns
    from training.people.tables import County, School, Teacher
    from training.programmes.tables import Block, Programme, TrainingSession

    county = (await County.insert(County(code=f"9{tag}", name="剑阁县", province="四川省")))[0]["id"]
    school = (await School.insert(School(county=county, name=f"剑阁县实验小学{tag}")))[0]["id"]
    programme = (await Programme.insert(Programme(slug=f"bench{tag}", name="暑期教师培训班", kind="summer")))[
        0
    ]["id"]
    start = date(2019, 7, 15)
    session = (
        await TrainingSession.insert(
            TrainingSession(
                programme=programme,
                year=2019,
                title="第9期暑期教师培训班",
                starts_on=start,
                ends_on=start + timedelta(days=3),
                capacity=count,
                completion_hours=18.0,
            )
        )
    )[0]["id"]
    blocks = [
        r["id"]
        for r in await Block.insert(
            *[
                Block(
                    session=session, day=start + timedelta(days=i // 2), starts_at=dtime(8), ends_at=dtime(11)
                )
                for i in range(6)
            ]
        )
    ]
    for offset in range(0, count, 200):
        teachers = []
        for i in range(offset, min(count, offset + 200)):
            first17 = f"510823{1960 + int(tag) * 10 + i // 1000}0101{i % 1000:03d}"  # unique per (tag, i)
            profile = TeacherProfile(
                id_number=first17 + check_digit(first17),
                name=NAMES[i % len(NAMES)],
                phone=f"199{i:08d}",
                county_id=county,
                email=f"bench{i}@example.org",
                school_id=school,
            )
            teachers.append(Teacher(**protected_columns(profile), **profile_columns(profile)))
        teacher_ids = [r["id"] for r in await Teacher.insert(*teachers)]
        enrollments = [
            r["id"]
            for r in await Enrollment.insert(
                *[
                    Enrollment(
                        session=session,
                        teacher=t,
                        county=county,
                        status="confirmed",
                        manual_code=uuid.uuid4().hex[:12],
                    )
                    for t in teacher_ids
                ]
            )
        ]
        await CheckIn.insert(
            *[
                CheckIn(
                    enrollment=e,
                    block=b,
                    scanned_at=datetime(2019, 7, 15, tzinfo=UTC),
                    client_id=uuid.uuid4().hex,
                )
                for e in enrollments
                for b in blocks
            ]
        )
    return int(session)


async def run(count: int, database_url: str, data_dir: Path) -> None:
    from training.certificates import batch, candidates
    from training.certificates.jobs import artwork_for, render_job_for
    from training.certificates.records import CertificateRecord
    from training.certificates.render import _canvas, render_jobs

    settings = Settings(database_url=database_url, data_dir=data_dir, secret_key="bench-" + "x" * 40)
    keys.configure(settings.secret_key)
    engine = db.make_engine(settings)
    db.use_engine(engine)
    await db.start(engine, settings)
    await db.migrate(quiet=True)
    cores = os.cpu_count() or 1
    print(
        f"{count} certificates, 300 dpi A4, {cores} cores, database {'SQLite' if settings.is_sqlite else 'PostgreSQL'}"
    )

    single_session = await make_session(count, "01")
    multi_session = await make_session(count, "02")

    # Render only (no database): the same jobs, one process then all cores.
    state = await candidates.session_eligibility(single_session)
    artwork = artwork_for(state.programme, settings)
    fake = [
        CertificateRecord(
            id=0,
            enrollment=c.enrollment_id,
            session=0,
            seq=i + 1,
            serial=f"2019-0000-{i + 1:04d}",
            verification_code="ABCDEFGH",
            teacher_name=c.teacher_name,
            county_name=c.county_name,
            school_name=c.school_name,
            session_title="第9期暑期教师培训班",
            session_dates="2019年7月15日至7月18日",
            hours=18.0,
        )
        for i, c in enumerate(state.candidates[: min(count, 200)])
    ]
    jobs = [render_job_for(c, artwork, replace(settings, data_dir=data_dir / "render-only")) for c in fake]
    render_jobs(jobs[:2])  # warm the per-process caches like a long batch would
    clock = Clock()
    render_jobs(jobs)
    single_render = clock.stop(len(jobs))
    # Baseline for the text layer: the same drawing saved by Pillow's own PDF writer (one JPEG, no text).
    clock = Clock()
    for job in jobs:
        with _canvas(job) as (page, _runs):
            page.save(io.BytesIO(), "PDF", resolution=300, quality=85)
    image_only = clock.stop(len(jobs))
    print(
        f"render + PDF, 1 process ({len(jobs)}): with the text layer {single_render.rate:.1f}/s "
        f"({single_render.cpu_ms:.1f} ms CPU each) · image-only Pillow PDF (baseline) {image_only.rate:.1f}/s "
        f"({image_only.cpu_ms:.1f} ms CPU each)"
    )
    with batch.make_pool(cores) as pool:
        chunks = [jobs[i : i + batch.RENDER_CHUNK] for i in range(0, len(jobs), batch.RENDER_CHUNK)]
        list(pool.map(render_jobs, [jobs[:2]] * cores))  # start the workers before timing
        clock = Clock()
        list(pool.map(render_jobs, chunks))
        wall = time.perf_counter() - clock.wall
    multi_render = len(jobs) / wall
    print(
        f"render + PDF only ({len(jobs)}): 1 process {single_render.rate:.1f}/s "
        f"({single_render.cpu_ms:.0f} ms CPU each) · {cores} processes {multi_render:.1f}/s"
    )

    # End to end through the batch (claims, render, files, record + outbox mail with the PDF attached).
    clock = Clock()
    one = await batch.issue_session(single_session, settings, workers=1)
    one_figures = clock.stop(one.rendered)
    clock = Clock()
    with batch.make_pool(cores) as pool:
        many = await batch.issue_session(multi_session, settings, workers=cores, pool=pool)
    many_figures = clock.stop(many.rendered)  # after shutdown: the workers' CPU time is accounted
    for label, report, figures in (
        ("1 process", one, one_figures),
        (f"{cores} processes", many, many_figures),
    ):
        print(
            f"end to end, {label:<12}: {report.rendered} in {figures.seconds:.1f}s = {figures.rate:.1f} certificates/s "
            f"wall; {figures.cpu_ms:.0f} ms CPU per certificate (all processes) → "
            f"{cores * 1000 / figures.cpu_ms:.0f}/s on {cores} idle cores; "
            f"{report.pdf_bytes // max(report.rendered, 1)} bytes per PDF"
        )
    stored = sum(p.stat().st_size for p in (data_dir / "certificates").rglob("*.pdf"))
    pdfs = len(list((data_dir / "certificates").rglob("*.pdf")))
    print(f"stored: {pdfs} PDFs, {stored // max(pdfs, 1)} bytes per certificate on disk")
    load = os.getloadavg()[0]
    print(
        f"load average during the run: {load:.1f} on {cores} cores (wall-clock rates shrink when others run)"
    )
    if not settings.is_sqlite:
        print("note: CPU figures cover this process and its workers, not the PostgreSQL server's own work")
    print(f"baseline/target: {TARGET_PER_S:.0f} certificates/s on 2 cores")
    await db.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as tmp:
        data_dir = Path(tmp)
        if args.database == "postgres":
            import asyncpg

            name = f"bench_cert_{uuid.uuid4().hex[:8]}"
            admin = os.environ.get(
                "TRAINING_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
            )

            async def admin_sql(sql: str) -> None:
                conn = await asyncpg.connect(admin)
                try:
                    await conn.execute(sql)
                finally:
                    await conn.close()

            asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
            try:
                asyncio.run(run(args.count, admin.rsplit("/", 1)[0] + f"/{name}", data_dir))
            finally:
                asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            asyncio.run(run(args.count, f"sqlite:///{data_dir / 'bench.sqlite3'}", data_dir))


if __name__ == "__main__":
    main()

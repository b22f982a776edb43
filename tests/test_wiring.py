"""Every entry point installs the hooks lower packages reach higher ones through (training/wiring.py).

Each check runs in a fresh interpreter, the way the entry point runs in production: the tests' own fixtures
install the hooks in this process, so an in-process check could not see one forgotten by the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date, time
from typing import Any

from tests.kit import world
from tests.kit.sync import run_sync
from training.config import Settings

REGISTRIES = """
from training.enrollment import sections
from training.people import hooks as people_hooks
from training.programmes import hooks
registries = {
    "name_listeners": [getattr(l, "__name__", "?") for l in people_hooks.name_listeners],
    "sections": [s.name for s in sections.registered()],
    "block_deletion_checks": len(hooks.block_deletion_checks),
    "session_deletion_checks": len(hooks.session_deletion_checks),
    "seat_counters": len(hooks.seat_counters),
    "session_listeners": [getattr(l, "__name__", "?") for l in hooks.session_listeners],
}
"""


def _run(settings: Settings, code: str) -> Any:
    """Run `code` in a fresh interpreter against the test's database; it leaves its answer in `result`."""
    env = {
        **os.environ,
        "TRAINING_DATABASE_URL": settings.database_url,
        "TRAINING_SECRET_KEY": settings.secret_key,
        "TRAINING_DATA_DIR": str(settings.data_dir),
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    script = textwrap.dedent(code) + REGISTRIES + "\nprint(json.dumps([result, registries]))\n"
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _expected() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(REGISTRIES, namespace)  # this process: installed by the tests' database fixture
    return namespace["registries"]  # type: ignore[no-any-return]


def test_the_command_line_refuses_to_delete_a_block_with_check_ins(settings: Settings, engine: Any) -> None:
    county = run_sync(world.county())
    session = run_sync(world.session(run_sync(world.programme())))
    block = run_sync(world.block(session, date(2027, 7, 15), time(8, 30), time(11, 30)))
    enrollment = run_sync(world.enrollment(session, run_sync(world.teacher(county))))
    run_sync(world.check_ins(enrollment, [block]))
    result, registries = _run(
        settings,
        f"""
        from training.cli import run_with_database
        from training.config import load_settings
        from training.errors import Conflict
        from training.programmes import session_setup, timetable

        async def work():
            refused = []
            for delete, entity in ((timetable.delete_block, {block}), (session_setup.delete_session, {session})):
                try:
                    await delete(None, entity)
                except Conflict as exc:
                    refused.append(exc.code)
            return refused

        result = run_with_database(load_settings(), work)
        """,
    )
    assert result == ["block_has_checkins", "session_has_enrollments"]
    assert registries == _expected()


def test_a_name_corrected_from_the_command_line_reaches_the_enrollment_snapshots(
    settings: Settings, engine: Any
) -> None:
    county = run_sync(world.county())
    session = run_sync(world.session(run_sync(world.programme())))
    teacher = run_sync(world.teacher(county, name="王芳"))
    enrollment = run_sync(world.enrollment(session, teacher))
    result, registries = _run(
        settings,
        f"""
        from training import db
        from training.cli import run_with_database
        from training.config import load_settings
        from training.core.actor import Actor
        from training.people import requests

        async def work():
            actor = Actor(None, "cli", "", "organiser")
            await requests.edit_by_organiser({teacher}, {{"name": "王芬"}}, actor=actor, reason="misspelt")
            row = await db.fetch_one('SELECT "teacher_name" FROM "enrollment" WHERE "id" = {{}}', {enrollment})
            return row["teacher_name"]

        result = run_with_database(load_settings(), work)
        """,
    )
    assert result == "王芬"
    assert registries == _expected()


def test_the_app_installs_the_hooks(settings: Settings) -> None:
    result, registries = _run(
        settings,
        """
        from training.app import create_app
        from training.config import load_settings

        result = type(create_app(load_settings())).__name__
        """,
    )
    assert result == "Litestar"
    assert registries == _expected()
    assert registries["sections"] and registries["block_deletion_checks"] and registries["name_listeners"]

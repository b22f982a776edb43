"""A built wheel installs whole: `pip install .` (not editable) carries templates/ and piccolo_migrations/, and the
installed package migrates a database and serves a page from them, away from the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CHECK = """
import sys
from pathlib import Path
import training, training.paths
from litestar.testing import TestClient
from training import db
from training.app import create_app
from training.config import load_settings

site = Path(sys.argv[1]).resolve()
assert Path(training.__file__).resolve().is_relative_to(site), training.__file__
assert training.paths.TEMPLATES_DIR.is_relative_to(site), training.paths.TEMPLATES_DIR
assert training.paths.MIGRATIONS_DIR.is_relative_to(site), training.paths.MIGRATIONS_DIR
app = create_app(load_settings())
with TestClient(app) as client:
    page = client.get("/login")
    assert page.status_code == 200 and "<form" in page.text, page.status_code
    assert client.get("/sessions").status_code == 200
print("served from", training.paths.TEMPLATES_DIR)
"""


@pytest.mark.slow
def test_the_wheel_carries_templates_and_migrations_and_the_installed_package_uses_them(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("training-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "piccolo_migrations"):
        shipped = {
            f"training/{folder}/{p.relative_to(REPO / folder).as_posix()}"
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert shipped and shipped <= names, sorted(shipped - names)[:5]
    assert "training/people/data/gb2260_counties.csv" in names

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]

    # Outside the repository, with the installed copy first on the path (the dependencies come from this venv).
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "TRAINING_DATA_DIR": str(tmp_path / "data"),
        "TRAINING_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'wheel.sqlite3'}",
        "TRAINING_ENV": "development",
        "TRAINING_MAIL_WORKER": "false",
        "TRAINING_LOG_LEVEL": "WARNING",
    }
    env.pop("TRAINING_SECRET_KEY", None)
    migrate = subprocess.run(
        [sys.executable, "-m", "training", "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0 and "migrations applied" in migrate.stdout, migrate.stderr[-2000:]
    served = subprocess.run(
        [sys.executable, "-c", CHECK, str(site)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert served.returncode == 0, served.stderr[-3000:]
    assert "served from" in served.stdout and str(site.resolve()) in served.stdout

"""bench/soak.py, briefly: the real server with the demo data under mixed traffic, no errors, figures printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kit.database import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_a_short_soak_has_no_errors_and_prints_its_figures() -> None:
    command = [sys.executable, str(ROOT / "bench" / "soak.py"), "--seconds", "15", "--rate", "30"]
    if PG_ADMIN_URL:
        command += ["--database-url", PG_ADMIN_URL]
    # 15 s is too short to judge memory (the 10% limit is for the 10-minute run): only errors fail here.
    command += ["--max-growth", "100"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINING_")}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for kind in ("register", "scan", "public", "organiser"):
        assert re.search(rf"^{kind}\s+[1-9]\d*\s+\d", out, re.M), out
    assert re.search(r"^total\s+\d+\s+[\d.]+\s+0$", out, re.M), out
    assert re.search(r"server RSS: idle [\d.]+ MiB, after warm-up [\d.]+ MiB, end [\d.]+ MiB, growth", out), (
        out
    )
    assert "RESULT: OK" in out

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.sync import run_sync
from training.demo import load_demo


@pytest.fixture
def demo(engine: Any) -> Any:
    """The demo world (10 counties, 9 summer sessions, 6 exchange cohorts, ~1,170 teachers)."""
    return run_sync(load_demo())

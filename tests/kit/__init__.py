"""The test kit: fixtures (one module per concern, loaded by tests/conftest.py through `pytest_plugins`) and one
world builder (`tests.kit.world`) that every domain's tests build their rows with.

The environment defaults are set here, before any `training` module is imported by a kit module.
"""

from __future__ import annotations

import os

os.environ.setdefault("TRAINING_SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ.setdefault("TRAINING_DATA_DIR", "/tmp/training-test-var")
os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

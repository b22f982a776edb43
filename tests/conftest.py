"""The suite's fixtures live in the kit, one module per concern (tests/kit/); rows are built with
tests/kit/world.py."""

from __future__ import annotations

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

import tests.kit  # noqa: F401  (the environment defaults, before any training module is imported)

pytest_plugins = [
    "tests.kit.database",
    "tests.kit.mail",
    "tests.kit.live",
    "tests.kit.browser",
]

# No per-example time limit nor "too slow" health check: the machine running the suite is shared, and timing
# belongs in bench/.
hypothesis_settings.register_profile(
    "training", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example]
)
hypothesis_settings.load_profile("training")

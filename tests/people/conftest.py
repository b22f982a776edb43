"""A Chromium per test (as in the enrollment tests) with a 360×740 phone: the cheap phones teachers use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.enrollment.conftest import own_browser

__all__ = ["own_browser", "phone"]

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def phone(own_browser: Any) -> Iterator[Any]:
    context = own_browser.new_context(**SMALL_PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()

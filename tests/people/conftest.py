"""Pages on a 360×740 phone: the cheap phones teachers use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.kit.browser import SMALL_PHONE, open_page


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from open_page(browser, SMALL_PHONE)

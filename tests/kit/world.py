"""The world builder: rows for every domain's tests, inserted the way the application stores them.

Each function inserts one kind of row with defaults a test can override and returns its id (or a small record);
scenario builders compose them. Numbers that must be unique within a test (ID numbers, phones, manual codes) come
from `serial()`, a counter the `engine` fixture starts again for every test.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from training.people.identity import check_digit

_serials = itertools.count(1)


def serial() -> int:
    """The next number of this test (1, 2, 3…)."""
    return next(_serials)


def forget_serials() -> None:
    global _serials
    _serials = itertools.count(1)


def id_number(
    county_code: str = "510823", n: int = 1, born: date = date(1985, 3, 7), female: bool = True
) -> str:
    """A valid 18-character resident ID number, distinct for each `n` (its birth day moves every 99)."""
    seq = (n % 99) * 10 + (2 if female else 1)
    born = born + timedelta(days=n // 99)
    first17 = f"{county_code}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)

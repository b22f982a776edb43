"""How dates and hours are written on certificates and statements. Pure."""

from __future__ import annotations

from datetime import date

CN_DIGITS = "〇一二三四五六七八九"


def chinese_date(day: date) -> str:
    """2019-07-18 → 二〇一九年七月十八日 (the customary form on certificates)."""

    def number(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def format_hours(hours: float) -> str:
    return f"{hours:g}" if hours == int(hours) else f"{hours:.1f}"


def session_dates_text(starts_on: date, ends_on: date) -> str:
    start = f"{starts_on.year}年{starts_on.month}月{starts_on.day}日"
    if ends_on == starts_on:
        return start
    if ends_on.year != starts_on.year:
        return f"{start}至{ends_on.year}年{ends_on.month}月{ends_on.day}日"
    return f"{start}至{ends_on.month}月{ends_on.day}日"

"""Characters no input may carry, checked once where input is decoded (no I/O).

Refused everywhere: NUL and the other C0 controls except tab, line feed and carriage return (a text area sends
those), DEL and the C1 controls, the bidirectional embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069:
they make a name or a log line read differently from what is stored), and values made only of invisible
characters (zero-width spaces and joiners, word joiner, BOM) with or without spaces. PostgreSQL cannot store NUL at
all (it answered with a 500), SQLite stores it and mail headers later refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from training.i18n import N_, register_messages

CONTROL = "control_characters"
BIDI = "bidi_controls"
INVISIBLE = "invisible_only"

register_messages(
    {
        CONTROL: N_("Invisible control characters are not allowed here; check the text and send it again."),
        BIDI: N_("Text-direction marks are not allowed here; check the text and send it again."),
        INVISIBLE: N_("This contains only invisible characters. Please type it again."),
    }
)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# The fast path: most values are plain printable text and need no closer look.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)


_SUSPECT_BYTES = re.compile(
    b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\\\\]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf"
)


def may_carry_problems(body: bytes) -> bool:
    """False when no string decoded from this UTF-8 JSON text can be refused: no escape (a backslash could spell
    any character) and no suspect character as such. The walk over the decoded value (`problems`) is then
    skipped: the same verdict for the price of one scan of the bytes (check-in scans, the busiest JSON)."""
    return _SUSPECT_BYTES.search(body) is not None


def problem(value: str) -> str | None:
    """The reason `value` is refused, or None."""
    if not _SUSPECT.search(value):
        return None
    if _CONTROL.search(value):
        return CONTROL
    if _BIDI.search(value):
        return BIDI
    if value.strip() and not value.strip(_INVISIBLE + " \t\r\n\u3000"):
        return INVISIBLE
    return None


def cleaned(value: str) -> str:
    """What a form redraws after refusing `value`: the text without the refused characters."""
    without = _BIDI.sub("", _CONTROL.sub("", value))
    return "" if not without.strip(_INVISIBLE + " \t\r\n\u3000") else without


def problems(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(field path, reason) for every refused string in decoded JSON or form data, keys included."""
    if isinstance(data, str):
        reason = problem(data)
        if reason:
            yield prefix or "body", reason
    elif isinstance(data, Mapping):
        for key, item in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and problem(key):
                yield name, problem(key) or CONTROL
            else:
                yield from problems(item, name)
    elif isinstance(data, list | tuple):
        for index, item in enumerate(data):
            yield from problems(item, f"{prefix}[{index}]" if prefix else f"[{index}]")


def first_problems(data: Any, limit: int = 20) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, reason in problems(data):
        found.setdefault(name, reason)
        if len(found) >= limit:
            break
    return found


_LOG_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\\\\]")


def log_safe(value: str) -> str:
    """One line whatever `value` holds: controls, line and paragraph separators, bidi controls and backslashes
    become escapes (\\n, \\x00, \\u202e), so printed input cannot start a forged log line or reorder one."""
    if not _LOG_UNSAFE.search(value):
        return value
    return _LOG_UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)

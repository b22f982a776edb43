"""Gettext catalogues (Babel .po files), read at start-up, one per domain.

msgids are English; `locale/zh_Hans/LC_MESSAGES/<domain>.po` holds the Simplified Chinese that users see by
default. English needs no catalogue (the msgid is the text). Each domain keeps its own .po file so that
people working on different domains never edit the same catalogue.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"zh_Hans": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)
_messages: dict[str, str] = {}


@cache
def catalogue(language: str) -> dict[str, Any]:
    """msgid → translation (str, or tuple of plural forms) merged from every domain's .po file."""
    merged: dict[str, Any] = {}
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    if not folder.is_dir():
        return merged
    for po_file in sorted(folder.glob("*.po")):
        with po_file.open("rb") as handle:
            cat = read_po(handle, locale=language.replace("_Hans", "") if language != "en" else "en")
        for message in cat:
            if not message.id or not message.string:
                continue
            if isinstance(message.id, tuple | list):
                merged[message.id[0]] = tuple(message.string)
            else:
                merged[message.id] = message.string
    return merged


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> contextvars.Token[str]:
    return _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = set_language(lang)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    translated = catalogue(current_language()).get(message)
    if isinstance(translated, tuple):
        translated = translated[0]
    return translated or message


def ngettext(singular: str, plural: str, n: int) -> str:
    translated = catalogue(current_language()).get(singular)
    if isinstance(translated, tuple) and translated:
        # Chinese has one form; English falls through to the msgids.
        return translated[0] if len(translated) == 1 else translated[0 if n == 1 else 1]
    return singular if n == 1 else plural


def _(message: str, **params: Any) -> str:
    text = gettext(message)
    return text.format(**params) if params else text


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with _()."""
    return message


_conflicts: list[str] = []


def register_messages(codes: dict[str, str]) -> None:
    """Domains register their error codes' English texts (marked with N_) here. Codes are global: the same code
    registered twice with different texts is recorded (tests/test_i18n.py fails on it)."""
    for code, text in codes.items():
        if code in _messages and _messages[code] != text:
            _conflicts.append(f"{code}: {_messages[code]!r} vs {text!r}")
        _messages[code] = text


def message_conflicts() -> list[str]:
    return list(_conflicts)


def message_for(code: str, **params: Any) -> str:
    """The translated human text for a machine-readable error code."""
    template = _messages.get(code)
    if template is None:
        return code
    text = gettext(template)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError):
        return text

"""List every msgid used in code and templates that has no zh_Hans translation yet.

Usage: python tools/i18n_missing.py [--po]   (--po prints ready-to-fill .po entries)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.i18n import catalogue  # noqa: E402

METHOD_MAP = [("training/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def used_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, options_map=OPTIONS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def missing() -> dict[str, str]:
    translated = catalogue("zh_Hans")
    return {msgid: where for msgid, where in used_msgids().items() if msgid not in translated}


if __name__ == "__main__":
    gaps = missing()
    for msgid, where in sorted(gaps.items(), key=lambda kv: kv[1]):
        if "--po" in sys.argv:
            escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
            print(f'#: {where}\nmsgid "{escaped}"\nmsgstr ""\n')
        else:
            print(f"{where}\t{msgid}")
    sys.exit(1 if gaps else 0)

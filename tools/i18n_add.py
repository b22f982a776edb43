"""Add or update zh_Hans translations in one domain's catalogue.

Usage: python tools/i18n_add.py DOMAIN < pairs.tsv      (each line: English msgid <TAB> 中文)
Writes training/locale/zh_Hans/LC_MESSAGES/DOMAIN.po, keeping existing entries, sorted by msgid.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    domain = sys.argv[1]
    path = ROOT / "training" / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="zh")
    else:
        catalog = Catalog(locale="zh", domain=domain, project="training")
    added = 0
    for line in sys.stdin.read().splitlines():
        if not line.strip() or "\t" not in line:
            continue
        msgid, msgstr = line.split("\t", 1)
        catalog.add(msgid, msgstr.strip())
        added += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, width=0)
    print(f"{path.relative_to(ROOT)}: {added} entries added or updated, {len(catalog)} in all")


if __name__ == "__main__":
    main()

"""Rebuild training/people/data/gb2260_counties.csv, the county-level division codes the app checks against.

Input: the CSV files of the public data set "Administrative-divisions-of-China" (dist/areas.csv, cities.csv,
provinces.csv), which transcribes the National Bureau of Statistics' 统计用区划代码 (2023 edition: state on
2023-06-30, published 2023-09-11); its county level is the GB/T 2260 county level plus a few statistical units,
which are left out here. Usage:

    python tools/gb2260_table.py DIR_WITH_THE_THREE_CSV_FILES > training/people/data/gb2260_counties.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

EDITION = "2023-06-30"
SOURCE = "National Bureau of Statistics, 统计用区划代码 2023 (state on 2023-06-30, published 2023-09-11)"
# County-level units of the statistics code that are not administrative divisions in GB/T 2260.
STATISTICAL_ONLY = {"232761", "232762", "232763", "232764", "460321", "460322", "460323", "632857"}
# Divisions the Ministry of Civil Affairs approved after that state (county level), with their prefecture.
LATER = [
    ("460302", "西沙区", "三沙市", "海南省"),
    ("460303", "南沙区", "三沙市", "海南省"),
    ("653228", "和安县", "和田地区", "新疆维吾尔自治区"),
    ("653229", "和康县", "和田地区", "新疆维吾尔自治区"),
]
NO_PREFECTURE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def rows(folder: Path) -> list[tuple[str, str, str, str]]:
    def read(name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    provinces = {r["code"]: r["name"] for r in read("provinces.csv")}
    cities = {r["code"]: r["name"] for r in read("cities.csv")}
    out = []
    for r in read("areas.csv"):
        code = r["code"]
        # xx7x: development zones and other statistical units; xxxx00: a prefecture without counties.
        if code[4] == "7" or code in STATISTICAL_ONLY or code.endswith("00"):
            continue
        prefecture = cities.get(r["cityCode"], "")
        out.append(
            (code, r["name"], "" if prefecture in NO_PREFECTURE else prefecture, provinces[r["provinceCode"]])
        )
    known = {row[0] for row in out}
    out += [row for row in LATER if row[0] not in known]
    return sorted(out)


def main() -> None:
    table = rows(Path(sys.argv[1]))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    sys.stdout.write(
        f"# County-level administrative division codes (GB/T 2260), {len(table)} rows.\n"
        f"# Source: {SOURCE}, without its statistical-only units; plus {len(LATER)} later county-level changes\n"
        "# approved by the Ministry of Civil Affairs (Sansha's districts, Hotan's new counties).\n"
        f"# Edition: {EDITION}. Rebuilt by tools/gb2260_table.py; see training/people/data/README.md.\n"
    )
    writer.writerow(["code", "name", "prefecture", "province"])
    writer.writerows(table)


if __name__ == "__main__":
    main()

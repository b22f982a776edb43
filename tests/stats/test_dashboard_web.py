"""The dashboard on the demo world: headline figures, pages, JSON API, exports, and who may see what."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl

from tests.kit.sync import run_sync
from tests.kit.web import login_as
from training import db
from training.core.actor import Actor
from training.core.clock import local_today
from training.stats import service
from training.stats.figures import Filters


def county_id(code: str) -> int:
    rows = run_sync(db.fetch('SELECT id FROM "county" WHERE code = {}', code))
    return int(rows[0]["id"])


def teacher_of(county: int) -> int:
    rows = run_sync(
        db.fetch(
            "SELECT teacher FROM stats_fact WHERE county = {} AND checkins > 0 ORDER BY teacher LIMIT 1",
            county,
        )
    )
    return int(rows[0]["teacher"])


def stat_values(html: str) -> dict[str, str]:
    """label → value of the headline stat cards."""
    pairs = re.findall(r'<div class="value">([^<]+)</div><div class="label">([^<]+)</div>', html)
    return {label.strip(): value.strip() for value, label in pairs}


def test_demo_shows_the_articles_headline_figures(client: Any, demo: Any) -> None:
    d = run_sync(service.dashboard(Filters(), Actor(1, "o", "o", "organiser")))
    # The on-site session running today (programme "outreach") has its first day's attendance.
    assert d.headline["sessions_by_programme"] == {"summer": 9, "jiangsu": 6, "outreach": 1}
    assert d.headline["exchange_years"] == 6
    assert d.headline["aided_counties_reached"] == 10
    assert d.headline["teachers_trained"] > 1000

    login_as(client, "organiser")
    page = client.get("/stats")
    assert page.status_code == 200
    cards = stat_values(page.text)
    assert cards["暑期教师培训班"] == "9"
    assert cards["彩虹行动年数"] == "6"
    assert cards["覆盖帮扶县"] == "10"
    assert int(cards["培训教师（人）"].replace(",", "")) == d.headline["teachers_trained"]
    # Charts are inline SVG with their numbers in text; no scripts anywhere on the page.
    assert page.text.count("<svg") == 4
    assert "<script" not in page.text
    assert re.search(r"<desc id=\"chart-\d+-desc\">[^<]*剑阁县：培训教师（人） \d+", page.text)


def test_json_api_mirrors_the_dashboard(client: Any, demo: Any) -> None:
    login_as(client, "organiser")
    summer = run_sync(db.fetch("SELECT id FROM programme WHERE slug = 'summer'"))[0]["id"]
    response = client.get(f"/api/v1/stats/dashboard?programme={summer}&from=2013&to=2017")
    assert response.status_code == 200
    body = response.json()
    d = run_sync(
        service.dashboard(
            Filters(programme_id=summer, year_from=2013, year_to=2017), Actor(1, "o", "o", "organiser")
        )
    )
    assert body["headline"] == d.headline
    assert body["rows"] == d.rows
    assert body["by_county"] == d.by_county
    assert {r["year"] for r in body["rows"]} == {2013, 2014, 2015, 2016, 2017}
    assert body["headline"]["sessions_held"] == 5
    bad = client.get("/api/v1/stats/dashboard?from=abc")
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"from": "invalid_number"}


def test_coordinator_sees_only_their_own_county(client: Any, demo: Any) -> None:
    jiange, xide = county_id("510823"), county_id("513432")
    login_as(client, "coordinator", jiange)

    page = client.get("/stats")
    assert page.status_code == 200
    assert "剑阁县" in page.text and "喜德县" not in page.text

    api = client.get("/api/v1/stats/dashboard").json()
    assert {r["county"] for r in api["rows"]} == {jiange}
    assert {c["county"] for c in api["by_county"]} == {jiange}

    for path in (
        f"/stats?county={xide}",
        f"/stats/counties/{xide}",
        f"/stats/teachers/{teacher_of(xide)}",
        f"/stats/export.xlsx?county={xide}",
        f"/stats/csv/counties.csv?county={xide}",
        f"/stats/report/2019?county={xide}",
        f"/api/v1/stats/dashboard?county={xide}",
        f"/api/v1/stats/counties/{xide}",
        f"/api/v1/stats/teachers/{teacher_of(xide)}",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get("/api/v1/stats/counties/" + str(xide)).json()["error"] == "forbidden"

    # Their own county's drill-down and teachers are theirs to see.
    assert client.get(f"/stats/counties/{jiange}").status_code == 200
    assert client.get(f"/api/v1/stats/teachers/{teacher_of(jiange)}").status_code == 200

    book = openpyxl.load_workbook(io.BytesIO(client.get("/stats/export.xlsx").content))
    names = {row[0] for row in book["分县汇总"].iter_rows(min_row=2, values_only=True)}
    assert names == {"剑阁县"}
    text = client.get("/stats/csv/breakdown.csv").content.decode("utf-8-sig")
    assert "喜德县" not in text and "剑阁县" in text


def test_staff_and_strangers_see_no_statistics(client: Any, demo: Any) -> None:
    assert client.get("/api/v1/stats/dashboard").status_code == 401
    login_as(client, "staff")
    assert client.get("/api/v1/stats/dashboard").status_code == 403
    assert client.get("/stats").status_code == 403


def test_xlsx_export_opens_and_matches_the_page(client: Any, demo: Any) -> None:
    login_as(client, "organiser")
    page = client.get("/stats").text
    response = client.get("/stats/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "总体数字",
        "分县汇总",
        "分县分年明细",
        "分年汇总",
        "彩虹行动（江苏跟岗）各县选派情况",
    ]
    sheet = book["分县汇总"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["县区", "行政区划代码", "报名", "确认参训"]
    assert sheet.freeze_panes == "A2"
    assert sheet[1][0].font.bold
    assert sheet.column_dimensions["A"].width >= 8
    api = {c["county_code"]: c for c in client.get("/api/v1/stats/dashboard").json()["by_county"]}
    table = page[page.index('id="by-county"') :]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(headers, row, strict=True))
        expected = api[record["行政区划代码"]]
        assert record["报名"] == expected["registered"]
        assert record["结业（获证）"] == expected["completed"]
        assert record["培训教师（人）"] == expected["trained"]
        assert abs(record["结业率"] - expected["completion_rate"]) < 1e-9
        # the page's by-county table shows the same row: name, registered, …, rate as a percentage
        cells = f'{record["行政区划代码"]}</td><td class="num">{record["报名"]}</td><td class="num">{record["确认参训"]}</td>'
        assert cells in table
        assert f"{record['结业率'] * 100:.1f}%" in table


def test_csv_export_is_utf8_with_bom_and_matches_the_xlsx(client: Any, demo: Any) -> None:
    login_as(client, "organiser")
    raw = client.get("/stats/csv/years.csv").content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "年份"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/stats/export.xlsx").content))
    sheet_rows = list(book["分年汇总"].iter_rows(min_row=2, values_only=True))
    assert (
        [int(r[0]) for r in rows[1:]]
        == [r[0] for r in sheet_rows]
        == [*range(2011, 2020), local_today().year]
    )  # + the session running today
    assert [int(r[1]) for r in rows[1:]] == [r[1] for r in sheet_rows]
    assert client.get("/stats/csv/nonsense.csv").status_code == 404


def test_drill_down_from_county_to_teacher_history(client: Any, demo: Any) -> None:
    login_as(client, "organiser")
    jiange = county_id("510823")
    page = client.get(f"/stats/counties/{jiange}")
    assert page.status_code == 200
    assert "剑阁县实验小学" in page.text
    assert re.search(r"199\*\*\*\*\d{4}", page.text)  # masked phones only
    assert not re.search(r"199\d{8}", page.text)
    # a returning teacher: trained in two different years
    rows = run_sync(
        db.fetch(
            "SELECT teacher FROM stats_fact WHERE county = {} AND checkins > 0 "
            "GROUP BY teacher HAVING MIN(year) < MAX(year) ORDER BY teacher LIMIT 1",
            jiange,
        )
    )
    teacher = int(rows[0]["teacher"])
    history = client.get(f"/api/v1/stats/teachers/{teacher}").json()
    assert len(history["years"]) >= 2
    assert history["phone_masked"].count("*") == 4
    facts = run_sync(
        db.fetch("SELECT SUM(hours) AS h, SUM(certified) AS c FROM stats_fact WHERE teacher = {}", teacher)
    )[0]
    assert history["total_hours"] == float(facts["h"])
    assert history["certificates"] == int(facts["c"])
    html = client.get(f"/stats/teachers/{teacher}").text
    for item in history["history"]:
        assert item["title"] in html
    county = client.get(f"/api/v1/stats/counties/{jiange}?page=2").json()
    assert county["page"] == 2 and len(county["teachers"]) == service.PAGE_SIZE
    assert county["teachers_total"] > service.PAGE_SIZE


def test_printable_report_for_one_year(client: Any, demo: Any) -> None:
    login_as(client, "organiser")
    page = client.get("/stats/report/2019")
    assert page.status_code == 200
    assert "2019 年度参训统计报告" in page.text
    cards = stat_values(page.text)
    assert cards["举办班次"] == "2"  # the 9th summer session and the 2019 Nantong/Changzhou cohort
    years = re.findall(r'</th>\s*<td class="num">(\d{4})</td>', page.text)  # the breakdown's year column
    assert years and set(years) == {"2019"}


def test_yearly_report_counts_teachers_who_had_come_in_earlier_years(client: Any, demo: Any) -> None:
    """多年参训 in the 2019 report: the 2019 teachers who had attended any training before 2019 (computed here
    from enrollments, sessions and check-ins), not only those trained twice inside 2019."""
    rows = run_sync(
        db.fetch(
            'SELECT e."teacher", e."county", s."year" FROM "enrollment" e '
            'JOIN "training_session" s ON s."id" = e."session" '
            'WHERE EXISTS (SELECT 1 FROM "check_in" c JOIN "block" b ON b."id" = c."block" '
            '  WHERE c."enrollment" = e."id" AND NOT b."cancelled")'
        )
    )
    first_year: dict[int, int] = {}
    for r in rows:
        first_year[r["teacher"]] = min(r["year"], first_year.get(r["teacher"], r["year"]))
    in_2019 = {(r["county"], r["teacher"]) for r in rows if r["year"] == 2019}
    expected: dict[int, int] = {}
    for county, teacher in in_2019:
        expected[county] = expected.get(county, 0) + (first_year[teacher] < 2019)
    assert sum(expected.values()) > 0  # the demo has returning teachers in 2019

    d = run_sync(service.dashboard(Filters(year_from=2019, year_to=2019), Actor(1, "o", "o", "organiser")))
    assert {c["county"]: c["returned"] for c in d.by_county if c["trained"]} == expected
    assert sum(c["trained"] for c in d.by_county) == len(in_2019)
    # The same with a filter that needs the per-enrollment facts (subject): still counted against every year.
    subject = run_sync(db.fetch('SELECT "subject" FROM "teacher" WHERE "subject" <> \'\' LIMIT 1'))[0][
        "subject"
    ]
    by_subject = run_sync(
        service.dashboard(
            Filters(year_from=2019, year_to=2019, subject=subject), Actor(1, "o", "o", "organiser")
        )
    )
    subject_teachers = {
        int(r["id"]) for r in run_sync(db.fetch('SELECT "id" FROM "teacher" WHERE "subject" = {}', subject))
    }
    want = sum(1 for county, t in in_2019 if t in subject_teachers and first_year[t] < 2019)
    assert sum(c["returned"] for c in by_subject.by_county) == want

    login_as(client, "organiser")
    page = client.get("/stats/report/2019")
    assert page.status_code == 200
    assert "多年参训" in page.text

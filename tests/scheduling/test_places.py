"""Counties and schools: division codes, the CSV import (all or nothing), schools per county."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from tests.scheduling.factories import ORGANISER
from training.errors import Conflict, ValidationFailed
from training.i18n import language, message_for
from training.people import divisions, places
from training.people.divisions import (
    Division,
    decode,
    division_problem,
    name_problem,
    national_table,
    parse_county_csv,
)
from training.people.tables import County, School


def test_division_codes_must_be_county_level() -> None:
    assert division_problem("510823") is None
    assert division_problem("51082") == "division_code_format"
    assert division_problem("990823") == "division_code_province"
    assert division_problem("510800") == "division_code_not_county"
    assert division_problem("513121") == "division_code_unknown"  # Aba's codes are 5132xx: Jinchuan is 513226


def test_the_national_table_is_shipped_with_its_source_and_knows_every_demo_county() -> None:
    from training.demo import COUNTIES

    table = national_table()
    assert 2800 < len(table) < 3000
    assert table["513226"] == Division("513226", "金川县", "阿坝藏族羌族自治州", "四川省")
    for code, name, _en, province, prefecture, _year in COUNTIES:
        assert (table[code].name, table[code].province, table[code].prefecture) == (
            name,
            province,
            prefecture,
        )
    data = Path(divisions.__file__).parent / "data"
    header = (data / "gb2260_counties.csv").read_text(encoding="utf-8").splitlines()[:4]
    assert any("Source:" in line for line in header) and any("Edition:" in line for line in header)
    assert "Source" in (data / "README.md").read_text(encoding="utf-8")


def test_a_name_that_does_not_match_the_code_is_refused() -> None:
    assert name_problem("513226", "金川县") is None
    assert name_problem("513226", "金川") is None
    assert name_problem("510104", "成都市锦江区") is None
    assert name_problem("513226", "金") == "division_name_mismatch"
    assert name_problem("513226", "剑阁县") == "division_name_mismatch"
    _, problems = parse_county_csv("513226,金川县\n510823,苍溪县\n999999,某县\n510899,某县\n")
    assert [(p.line, p.code, p.official) for p in problems] == [
        (2, "csv_division_name_mismatch", "剑阁县"),
        (3, "csv_division_code_province", ""),
        (4, "csv_division_code_unknown", ""),
    ]


async def test_a_county_with_an_unknown_code_or_a_wrong_name_is_refused_with_the_reason(adb) -> None:
    with pytest.raises(ValidationFailed) as unknown:
        await places.create_county(ORGANISER, places.CountyDraft(code="513121", name="金川县"))
    assert unknown.value.fields == {"code": "division_code_unknown"}
    with pytest.raises(ValidationFailed) as wrong:
        await places.create_county(ORGANISER, places.CountyDraft(code="513226", name="喜德县"))
    assert wrong.value.fields == {"name": "division_name_mismatch"}
    with language("en"):
        assert message_for("division_name_mismatch", **wrong.value.params) == (
            "The national table names the county with this code “金川县”."
        )
    assert await County.count() == 0


def test_csv_without_header_takes_the_province_from_the_code() -> None:
    rows, problems = parse_county_csv("510823,剑阁县,广元市\n522328,安龙县,黔西南布依族苗族自治州\n")
    assert problems == []
    assert [(r.code, r.province, r.prefecture) for r in rows] == [
        ("510823", "四川省", "广元市"),
        ("522328", "贵州省", "黔西南布依族苗族自治州"),
    ]


def test_csv_with_a_chinese_header_in_any_order_and_gbk_encoding() -> None:
    text = decode("名称,区划代码,帮扶\n喜德县,513432,是\n成都市锦江区,510104,否\n".encode("gb18030"))
    rows, problems = parse_county_csv(text)
    assert problems == []
    assert [(r.code, r.name, r.aided) for r in rows] == [
        ("513432", "喜德县", True),
        ("510104", "成都市锦江区", False),
    ]


def test_csv_problems_name_the_line() -> None:
    _, problems = parse_county_csv("510823,剑阁县\n5108,坏\n510823,重复\n511622,\n")
    assert [(p.line, p.code) for p in problems] == [
        (2, "csv_division_code_format"),
        (3, "csv_duplicate_code"),
        (4, "csv_missing_name"),
    ]


async def test_import_adds_new_codes_updates_known_ones_and_keeps_typed_values(adb) -> None:
    await places.create_county(ORGANISER, places.CountyDraft(code="510823", name="剑阁", prefecture="广元市"))
    result = await places.import_counties(ORGANISER, "510823,剑阁县\n511622,武胜县,广安市\n".encode())
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    jiange = await County.select().where(County.code == "510823").first()
    assert jiange is not None and jiange["name"] == "剑阁县" and jiange["prefecture"] == "广元市"


async def test_a_bad_line_refuses_the_whole_import(adb) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await places.import_counties(ORGANISER, "510823,剑阁县\n511600,广安市\n".encode())
    assert caught.value.fields == {"file": "csv_division_code_not_county"}
    assert caught.value.params["line"] == 2
    assert await County.count() == 0


async def test_county_codes_are_unique_and_schools_unique_per_county(adb) -> None:
    cid = await places.create_county(ORGANISER, places.CountyDraft(code="510823", name="剑阁县"))
    with pytest.raises(Conflict):
        await places.create_county(ORGANISER, places.CountyDraft(code="510823", name="剑阁"))
    await places.create_school(
        ORGANISER, places.SchoolDraft(county_id=cid, name="剑阁县实验小学", level="primary")
    )
    with pytest.raises(Conflict) as caught:
        await places.create_school(ORGANISER, places.SchoolDraft(county_id=cid, name="剑阁县实验小学"))
    assert caught.value.fields == {"name": "school_exists"}
    with pytest.raises(ValidationFailed):
        await places.create_school(ORGANISER, places.SchoolDraft(county_id=cid, name="x", level="university"))
    assert await School.count() == 1


def test_importing_a_csv_file_on_the_counties_page(client) -> None:
    login_as(client, "organiser")
    token = csrf_token(client)
    good = "code,name,prefecture\n510823,剑阁县,广元市\n513432,喜德县,凉山彝族自治州\n".encode()
    response = client.post(
        "/admin/counties/import",
        data={"_csrf_token": token},
        files={"file": ("counties.csv", good, "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "喜德县" in response.text and "县名单已导入" in response.text
    bad = "510823,剑阁县\n1234,坏行\n".encode()
    response = client.post(
        "/admin/counties/import", data={"_csrf_token": token}, files={"file": ("c.csv", bad, "text/csv")}
    )
    assert response.status_code == 400
    assert "第 2 行" in response.text
    assert run_sync(County.count().run()) == 2


def test_adding_and_editing_a_county_and_a_school_on_the_pages(client) -> None:
    login_as(client, "organiser")
    token = csrf_token(client)
    bad = client.post("/admin/counties", data={"_csrf_token": token, "code": "51082", "name": "剑阁县"})
    assert bad.status_code == 400 and 'id="e-code"' in bad.text and 'value="剑阁县"' in bad.text
    ok = client.post(
        "/admin/counties",
        data={"_csrf_token": token, "code": "510823", "name": "剑阁县", "aided": "on"},
        follow_redirects=False,
    )
    assert ok.status_code == 302
    cid = run_sync(County.select(County.id).first().run())["id"]
    added = client.post(
        f"/admin/counties/{cid}/schools",
        data={"_csrf_token": token, "name": "姚家乡中心小学", "level": "primary"},
        follow_redirects=False,
    )
    assert added.status_code == 302
    page = client.get(f"/admin/counties/{cid}")
    assert "姚家乡中心小学" in page.text
    sid = run_sync(School.select(School.id).first().run())["id"]
    edited = client.post(
        f"/admin/schools/{sid}/edit",
        data={"_csrf_token": token, "name": "姚家乡小学", "level": "primary", "county_id": str(cid)},
        follow_redirects=False,
    )
    assert edited.status_code == 302
    assert run_sync(places.get_school(sid)).name == "姚家乡小学"


def test_the_counties_import_command(settings, engine, tmp_path, capsys) -> None:
    from training.cli import build_parser

    good = tmp_path / "counties.csv"
    good.write_text("510823,剑阁县,广元市\n513432,喜德县,凉山彝族自治州\n", encoding="utf-8")
    args = build_parser().parse_args(["counties", "import", str(good)])
    assert args.func(args, settings) == 0
    assert "2 new" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("510824,苍溪县\n51,x\n", encoding="utf-8")
    args = build_parser().parse_args(["counties", "import", str(bad)])
    assert args.func(args, settings) == 1
    assert "Line 2" in capsys.readouterr().out
    from training import db

    db.use_engine(engine)
    assert run_sync(County.count().run()) == 2

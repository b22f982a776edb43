"""An import never invents an ID or phone number: cells the spreadsheet stored as numbers (XLSX number cells,
CSV scientific notation or rounded digits) are refused with the Excel fix, and nothing of those rows is written."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.enrollment.factory import fetch, id_number, make_counties, make_session
from tests.enrollment.test_import import HEADER, _row, _setup, _upload, _xlsx
from tests.kit.sync import run_sync
from training import keys
from training.core.actor import Actor
from training.enrollment import importing
from training.enrollment.tables import Enrollment
from training.people.tables import Teacher

ORGANISER = Actor(1, "organiser", "", "organiser")  # the acting organiser (no account row needed)

# The example: Excel's 15 significant digits turn 510823198304050002 into 510823198304049984 (as a float
# 5.10823198304050e17), and that one still passes the check digit: accepted, it would be a different person.
REAL_ID = "510823198304050002"
ROUNDED_VALID = "510823198304049984"


def _hash(number: str) -> str:
    return keys.current().hash_id_card(number)


def test_the_rounded_example_really_passes_the_check_digit() -> None:
    from training.people.identity import parse_id_card

    assert str(int(float(REAL_ID))) == ROUNDED_VALID
    parse_id_card(ROUNDED_VALID)  # no error: only the cell type can tell it apart


def test_number_cells_in_the_id_and_phone_columns_are_refused_and_nothing_wrong_is_imported(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        session_id = await make_session(counties, capacity=30)
        seventeen = id_number("513432", 4)[:17]  # an ID whose X was lost: 17 digits as a number
        data = _xlsx(
            [
                _row(1),  # text cells: imported
                _row(2, 身份证号=float(REAL_ID)),  # 18 digits as a float
                _row(3, 身份证号=float(seventeen)),  # 17 digits as a float
                _row(4, 身份证号=float("513432850307021")),  # a 15-digit number (first-generation ID)
                _row(5, 身份证号=int(id_number("513432", 5))),  # an int cell that happens to be exact
                _row(6, 手机号=13800000006),  # a phone as a number cell
                _row(7, 手机号=13800000007.0),
            ]
        )
        preview = await importing.preview(session_id, "名单.xlsx", data)
        errors = {row.line: row.errors for row in preview.rows}
        assert errors[2] == {}
        for line in (3, 4, 5, 6):
            assert errors[line].get("id_number") == "stored_as_number", (line, errors[line])
        for line in (7, 8):
            assert errors[line].get("phone") == "stored_as_number", (line, errors[line])
        result = await importing.run(session_id, "名单.xlsx", data, base_url="http://x", actor=ORGANISER)
        assert [r.action for r in result.rows] == ["confirmed"] + ["error"] * 6
        assert await Enrollment.count() == 1 and await Teacher.count() == 1
        for number in (REAL_ID, ROUNDED_VALID, id_number("513432", 5), id_number("513432", 6)):
            assert not await Teacher.exists().where(Teacher.id_hash == _hash(number)), number

    run_sync(scenario())


def test_a_csv_with_scientific_notation_or_rounded_digits_is_refused_not_converted(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        session_id = await make_session(counties, capacity=30)
        rows = [
            _row(1),
            _row(2, 身份证号="5.10823E+17"),
            _row(3, 身份证号="510823198304050000"),  # what a "0" number format writes: rounded, check fails
            _row(4, 手机号="1.38E+10"),
            _row(5, 手机号="13800000005.0"),
        ]
        lines = [",".join(HEADER), *(",".join(str(v) for v in r) for r in rows)]
        data = "\r\n".join(lines).encode("utf-8")
        result = await importing.run(session_id, "名单.csv", data, base_url="http://x", actor=ORGANISER)
        assert [r.action for r in result.rows] == ["confirmed", "error", "error", "error", "error"]
        assert [sorted(r.errors) for r in result.rows[1:]] == [
            ["id_number"],
            ["id_number"],
            ["phone"],
            ["phone"],
        ]
        assert {v for r in result.rows[1:] for v in r.errors.values()} == {"stored_as_number"}
        assert await Teacher.count() == 1

    run_sync(scenario())


def test_a_mistyped_check_digit_in_a_text_cell_is_still_called_a_check_digit_error(adb: Any) -> None:
    async def scenario() -> None:
        counties = await make_counties()
        session_id = await make_session(counties, capacity=30)
        preview = await importing.preview(
            session_id, "名单.xlsx", _xlsx([_row(1, 身份证号="513432198503070000")])
        )
        assert preview.rows[0].errors == {"id_number": "id_checksum"}

    run_sync(scenario())


def test_the_preview_page_says_the_column_is_stored_as_a_number_and_how_to_fix_it(
    client: TestClient[Any],
) -> None:
    _, session_id = _setup(client)
    response = _upload(client, session_id, _xlsx([_row(1), _row(2, 身份证号=float(REAL_ID))]))
    assert response.status_code == 200, response.text
    assert "存成了数字" in response.text and "设置单元格格式" in response.text and "文本" in response.text
    assert fetch(Enrollment.count()) == 0

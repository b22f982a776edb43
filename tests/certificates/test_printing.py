"""Print runs (one PDF + a zip of single PDFs, county and name order) and paper sign-in sheets per block."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pypdfium2
import zxingcpp

from tests.certificates.factory import World, attend, make_teacher, make_world
from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training import keys
from training.certificates import batch, printing, revoking
from training.certificates.tables import Certificate
from training.config import Settings
from training.core.tokens import read_token

# (county, name): inserted out of order on purpose
TEACHERS = [
    ("喜德县", "吉克阿依"),
    ("剑阁县", "王芳"),
    ("喜德县", "阿苦日哈"),
    ("剑阁县", "李建国"),
    ("剑阁县", "张三梅"),
]


async def _world_with_two_counties() -> tuple[World, dict[int, tuple[str, str]]]:
    world = await make_world()
    xide = replace(world, county_id=await kit.county("513432", "喜德县", prefecture=""))
    xide = replace(xide, school_id=await kit.school(xide.county_id, "喜德县光明镇中心校"))
    people = {}
    for county_name, name in TEACHERS:
        _, enrollment = await make_teacher(xide if county_name == "喜德县" else world, name)
        await attend(world, enrollment, 8)
        people[enrollment] = (county_name, name)
    return world, people


def _pages_text(pdf: bytes | str) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def _expected_order(people: dict[int, tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(people.values())


async def test_print_run_is_one_page_per_certificate_in_county_and_name_order(
    adb: Any, settings: Settings
) -> None:
    world, people = await _world_with_two_counties()
    await batch.issue_session(world.session_id, settings, workers=1, now=datetime.now(UTC))
    certs = await Certificate.select().where(Certificate.session == world.session_id)
    revoked = next(c for c in certs if c["teacher_name"] == "李建国")
    await revoking.revoke(revoked["serial"], "姓名有误", None)
    del people[revoked["enrollment"]]

    pdf_path, zip_path, count = await printing.build(world.session_id, settings, workers=1)
    assert count == len(people) == 4
    pages = _pages_text(str(pdf_path))
    assert len(pages) == 4
    serial_of = {c["enrollment"]: c["serial"] for c in certs}
    order = _expected_order(people)
    assert order[0][0] == "剑阁县" and order[-1][0] == "喜德县"  # county first, then the name
    for text, (county, name) in zip(pages, order, strict=True):
        enrollment = next(e for e, v in people.items() if v == (county, name))
        assert name in text and county in text and serial_of[enrollment] in text
        assert "完成培训 24 学时" in text and "第9期暑期教师培训班" in text
    assert revoked["serial"] not in "".join(pages)

    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        assert [n.split("-")[1:3] for n in names] == [[c, n] for c, n in order]
        for entry in names:
            single = archive.read(entry)
            [text] = _pages_text(single)
            assert entry.rsplit("-", 3)[-3] + "-" in entry and entry.removesuffix(".pdf")[-14:] in text


def test_print_run_from_the_page_with_progress_and_downloads(client: Any, settings: Settings) -> None:
    world, _people = run_sync(_world_with_two_counties())
    run_sync(batch.issue_session(world.session_id, settings, workers=1, now=datetime.now(UTC)))
    login_as(client, "organiser")
    base = f"/admin/certificates/sessions/{world.session_id}"
    assert client.get(base + "/print-run.pdf").status_code == 404  # nothing prepared yet
    empty = run_sync(make_world())  # no certificate: nothing starts
    client.post(
        f"/admin/certificates/sessions/{empty.session_id}/print", data={"_csrf_token": csrf_token(client)}
    )
    assert printing.run_state(empty.session_id) is None
    page = client.get(base)
    assert 'id="print"' in page.text and "准备打印文件" in page.text
    started = client.post(base + "/print", data={"_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert started.status_code == 303
    progress: dict[str, Any] = {}
    for _ in range(900):
        progress = client.get(f"/api/v1/certificates/sessions/{world.session_id}/print/progress").json()
        if not progress["running"]:
            break
        time.sleep(0.1)
    assert progress["error"] == "" and progress["stage"] == "done"
    assert progress["done"] == progress["total"] == 5
    assert set(progress["files"]) == {"pdf", "zip"}
    pdf = client.get(base + "/print-run.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert len(_pages_text(pdf.content)) == 5
    archive = zipfile.ZipFile(io.BytesIO(client.get(base + "/print-run.zip").content))
    assert len(archive.namelist()) == 5
    assert "print-run.pdf" in client.get(base).text


def test_sign_in_sheet_lists_every_teacher_with_a_qr_that_decodes_to_her_check_in_token(
    client: Any, settings: Settings
) -> None:
    world, people = run_sync(_world_with_two_counties())
    login_as(client, "organiser")
    response = client.get(f"/admin/sessions/{world.session_id}/blocks/{world.blocks[1]}/signin.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    [text] = _pages_text(response.content)
    assert "签到表" in text and "2019年7月15日 下午 14:00–17:00" in text and "签名" in text
    assert "应到 5 人" in text
    positions = [text.index(name) for _, name in _expected_order(people)]
    assert positions == sorted(positions)  # county, then name order
    for county, name in people.values():
        assert name in text and county in text
    assert "喜德县光明镇中心校" in text and "剑阁县实验小学" in text

    document = pypdfium2.PdfDocument(response.content)
    image = document[0].render(scale=300 / 72).to_pil()
    codes = zxingcpp.read_barcodes(image)
    decoded = {read_token(keys.current().qr_token, code.text) for code in codes}
    assert decoded == set(people)

    other = run_sync(make_world())
    wrong = client.get(f"/admin/sessions/{world.session_id}/blocks/{other.blocks[0]}/signin.pdf")
    assert wrong.status_code == 404

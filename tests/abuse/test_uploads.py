"""Oversized and malformed uploads are refused with a clear message, in bounded memory, and write nothing.

Memory is measured in a child process (resource.getrusage peak RSS) so that the test process's own history does
not blur the figure: the bound is on the growth caused by parsing the hostile files, not on an absolute size.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from tests.abuse import bombs
from tests.certificates.factory import make_world as certificate_world
from tests.enrollment.factory import fetch, make_counties, make_session
from tests.kit.sync import run_sync
from tests.kit.web import csrf_token, login_as
from training.enrollment.tables import Enrollment
from training.programmes.tables import Programme

ROOT = Path(__file__).resolve().parents[2]
GROWTH_BOUND_MB = 120  # the unfixed import grew by ~2.7 GB on the one-enormous-row bomb


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming width × height, with one tiny IDAT: a header-only bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


CHILD = r"""
import json, pathlib, resource, sys
sys.path.insert(0, sys.argv[1])
from training.enrollment import importing
from training.certificates.uploads import ArtworkError, normalise_upload

folder = pathlib.Path(sys.argv[2])
files = [p.read_bytes() for p in sorted(folder.glob("*.xlsx"))]
images = [p.read_bytes() for p in sorted(folder.glob("*.img"))]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = []
for data in files:
    try:
        importing.read_table("list.xlsx", data)
        codes.append("accepted")
    except importing.ImportRefused as exc:
        codes.append(exc.code)
for data in images:
    try:
        normalise_upload(data, "background")
        codes.append("accepted")
    except ArtworkError as exc:
        codes.append(exc.code)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"codes": codes, "growth_mb": (after - before) / 1024, "peak_mb": after / 1024}))
"""


def test_bombs_and_malformed_files_are_refused_in_bounded_memory(tmp_path: Path) -> None:
    # Built here, read there: the child's peak before parsing is just its imports and the small files.
    hostile = [bombs.xlsx_with_huge_shared_string(), bombs.xlsx_with_millions_of_rows()]
    hostile += [bombs.xlsx_with_one_enormous_row(), *bombs.malformed_xlsx()]
    for n, data in enumerate(hostile):
        (tmp_path / f"{n:02d}.xlsx").write_bytes(data)
    images = [png_claiming(200_000, 200_000), png_claiming(30_000, 30_000), b"GIF89a" + b"\x00" * 100]
    for n, data in enumerate(images):
        (tmp_path / f"{n:02d}.img").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    codes = report["codes"]
    assert codes[:3] == ["file_unpacks_too_large"] * 3, codes
    assert codes[3:9] == ["file_unreadable"] * 6, codes
    assert codes[9:] == ["artwork_too_many_pixels", "artwork_too_many_pixels", "artwork_bad_type"], codes
    print(report)
    assert report["growth_mb"] < GROWTH_BOUND_MB, report


def _import(client: TestClient[Any], session_id: int, data: bytes, name: str = "名单.xlsx") -> Any:
    return client.post(
        f"/admin/enrollment/sessions/{session_id}/import",
        files={"file": (name, data, "application/octet-stream")},
        data={"_csrf_token": csrf_token(client)},
    )


def test_the_import_page_explains_why_a_hostile_file_is_refused(client: TestClient[Any]) -> None:
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    login_as(client, "organiser")
    bomb = _import(client, session_id, bombs.xlsx_with_one_enormous_row())
    assert bomb.status_code == 400
    assert "此表格打开后超过 32 MB" in bomb.text
    for data in bombs.malformed_xlsx():
        response = _import(client, session_id, data)
        assert response.status_code == 400, response.text[:500]
        assert "无法读取该文件" in response.text
    assert fetch(Enrollment.count()) == 0


def test_over_limit_bodies_and_hostile_images_are_refused_with_a_message(client: TestClient[Any]) -> None:
    world = run_sync(certificate_world())
    counties = run_sync(make_counties())
    session_id = run_sync(make_session(counties))
    login_as(client, "organiser")
    token = csrf_token(client)
    eleven_mb = b"\x00" * (11 * 1024 * 1024)
    for url, field in (
        (f"/admin/certificates/programmes/{world.programme_id}/artwork", "image"),
        (f"/admin/enrollment/sessions/{session_id}/import", "file"),
    ):
        response = client.post(
            url,
            files={field: ("big.png", eleven_mb, "image/png")},
            data={"kind": "seal", "_csrf_token": token},
        )
        assert response.status_code == 413, (url, response.status_code)
        assert "text/html" in response.headers["content-type"]
    api = client.post(
        "/api/v1/programmes", content=b"{" + b" " * (11 * 1024 * 1024) + b"}", headers={"x-csrftoken": token}
    )
    assert api.status_code == 413 and api.json()["error"] == "too_large"
    for image, message in (
        (png_claiming(200_000, 200_000), "图片像素过多"),
        (b"%PDF-1.4 not an image", "PNG"),
    ):
        response = client.post(
            f"/admin/certificates/programmes/{world.programme_id}/artwork",
            files={"image": ("x.png", image, "image/png")},
            data={"kind": "background", "_csrf_token": token},
        )
        assert response.status_code == 400 and message in response.text
    programme = fetch(Programme.select().where(Programme.id == world.programme_id).first())
    assert not programme["certificate_background"] and not programme["certificate_seal"]

"""Small files that expand hugely, built in memory: XLSX zip bombs, and malformed XLSX files."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from tests.enrollment.test_import import HEADER


def _base_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace(xlsx: bytes, name: str, content_chunks: list[bytes] | bytes) -> bytes:
    """Copy the package, putting `name` (streamed from chunks, compressed at level 9) in place of the original."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename == name:
                continue
            target.writestr(item, source.read(item.filename))
        chunks = [content_chunks] if isinstance(content_chunks, bytes) else content_chunks
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
    return out.getvalue()


def _repeat(chunk: bytes, times: int) -> list[bytes]:
    return [chunk] * times


def xlsx_with_huge_shared_string(megabytes: int = 300) -> bytes:
    """One shared string of `megabytes` MB: openpyxl would read it whole into memory."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    tail = b"</t></si></sst>"
    mb = b"A" * (1024 * 1024)
    return _replace(_base_xlsx(), "xl/sharedStrings.xml", [head, *_repeat(mb, megabytes), tail])


SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
CELL = b'<c t="inlineStr"><is><t>x</t></is></c>'


def _sheet_bomb(head: bytes, unit: bytes, count: int, tail: bytes) -> bytes:
    """A first sheet of `count` repetitions of `unit` (a few hundred kilobytes compressed)."""
    chunks = [head, *_repeat(unit * 10_000, count // 10_000), tail]
    return _replace(_base_xlsx(), "xl/worksheets/sheet1.xml", chunks)


def xlsx_with_millions_of_rows(rows: int = 2_000_000) -> bytes:
    return _sheet_bomb(SHEET_HEAD, b"<row>" + CELL + b"</row>", rows, b"</sheetData></worksheet>")


def xlsx_with_one_enormous_row(cells: int = 3_000_000) -> bytes:
    """A single row with millions of cells: a row-count limit alone does not stop it."""
    return _sheet_bomb(SHEET_HEAD + b"<row>", CELL, cells, b"</row></sheetData></worksheet>")


def malformed_xlsx() -> list[bytes]:
    valid = _base_xlsx()
    return [
        b"PK\x03\x04" + b"\x00" * 200,  # a zip header and nothing after it
        valid[: len(valid) // 2],  # truncated
        _replace(valid, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c>"),  # broken XML
        _replace(valid, "xl/workbook.xml", b"not xml at all"),
        b"\xd0\xcf\x11\xe0" + b"\x00" * 500,  # an old .xls (OLE) renamed .xlsx
        "姓名,身份证号\n".encode(),  # a CSV renamed .xlsx
    ]

"""A small PDF writer: each page is one full-page image with an invisible, searchable text layer over it.

Pure (bytes in, bytes out; no project imports). Pages drawn with Pillow keep their exact look; the text layer
(text render mode 3, like OCR'd scans) puts every printed string at the place and size it was drawn, so a PDF
viewer finds, selects and copies the Chinese text, and pypdfium2 extracts it.

The font of the text layer is a two-glyph TrueType font built here once (a "glyphless" font: every character
maps to one em-box glyph that is never painted). Characters are numbered per document (codes 1..n, Identity-H); the ToUnicode map
says which character each code is and the /W widths are the real font's advances, so selections line up with
the drawn glyphs. No font subsetting happens per document, which keeps a certificate at the cost of its JPEG.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, BinaryIO

PT_PER_INCH = 72.0


@dataclass(frozen=True)
class TextRun:
    """One printed string: left end of its baseline, in pixels of the page image (y downwards)."""

    x: float
    baseline: float
    size: float  # font size in pixels
    text: str
    tracking: float = 0.0  # extra pixels after each character (letter-spacing)


@dataclass(frozen=True)
class PageImage:
    """An encoded page image: JPEG bytes (DCTDecode) or raw samples compressed here (FlateDecode)."""

    data: bytes
    width: int  # pixels
    height: int
    dpi: float
    colour: str = "rgb"  # rgb / gray
    jpeg: bool = True

    @property
    def size_pt(self) -> tuple[float, float]:
        return self.width * PT_PER_INCH / self.dpi, self.height * PT_PER_INCH / self.dpi


def _pdf_string(text: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM), for the document information."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _num(value: float) -> bytes:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()


@lru_cache(maxsize=1)
def glyphless_font() -> bytes:
    """A TrueType font whose glyphs have no outline: the text layer is never painted."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    # An em box as outline: never painted (render mode 3), but it gives viewers a full-height box to highlight.
    pen = TTGlyphPen(None)
    pen.moveTo((0, -120))
    pen.lineTo((0, 880))
    pen.lineTo((1000, 880))
    pen.lineTo((1000, -120))
    pen.closePath()
    builder.setupGlyf({".notdef": empty, "blank": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (1000, 0), "blank": (1000, 0)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "GlyphLessFont", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _cid_to_gid_map() -> bytes:
    # every code draws glyph 1 (blank); compressed, 128 KB of b"\0\1" is a few hundred bytes
    return zlib.compress(b"\x00\x01" * 65536, 9)


@dataclass
class PdfWriter:
    """Writes pages to `out` as they come (a 200-page print run never sits in memory); `close()` finishes it.

    `advance(char)` is the width of a character in thousandths of an em in the font the page was drawn with.
    """

    out: BinaryIO
    advance: Callable[[str], float]
    title: str = ""
    author: str = ""
    _offsets: dict[int, int] = field(default_factory=dict)
    _next: int = 5  # 1 catalog, 2 pages, 3 font, 4 info are reserved
    _pages: list[int] = field(default_factory=list)
    _codes: dict[str, int] = field(default_factory=dict)
    _written: int = 0

    def __post_init__(self) -> None:
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # -- low level
    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self._written += len(data)

    def _new(self) -> int:
        number = self._next
        self._next += 1
        return number

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self._offsets[number] = self._written
        self._write(f"{number} 0 obj\n".encode())
        if stream is None:
            self._write(body + b"\nendobj\n")
        else:
            self._write(body[:-2] + f" /Length {len(stream)} >>".encode() + b"\nstream\n")
            self._write(stream + b"\nendstream\nendobj\n")

    def _code(self, char: str) -> int:
        code = self._codes.get(char)
        if code is None:
            code = self._codes[char] = len(self._codes) + 1
        return code

    # -- pages
    def add_page(self, image: PageImage, texts: list[TextRun]) -> None:
        width, height = image.size_pt
        scale = PT_PER_INCH / image.dpi
        image_number = self._new()
        colour = b"/DeviceRGB" if image.colour == "rgb" else b"/DeviceGray"
        if image.jpeg:
            body, payload = b"/Filter /DCTDecode", image.data
        else:
            body, payload = b"/Filter /FlateDecode", zlib.compress(image.data, 6)
        self._object(
            image_number,
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 %s >>"
            % (image.width, image.height, colour, body),
            payload,
        )
        ops = [b"q ", _num(width), b" 0 0 ", _num(height), b" 0 0 cm /Im0 Do Q\nBT 3 Tr\n"]
        for run in texts:
            chars = [c for c in run.text]
            if not chars:
                continue
            codes = b"".join(b"%04X" % self._code(c) for c in chars)
            ops += [
                b"/F1 ",
                _num(run.size * scale),
                b" Tf ",
                _num(run.tracking * scale),
                b" Tc 1 0 0 1 ",
                _num(run.x * scale),
                b" ",
                _num(height - run.baseline * scale),
                b" Tm <",
                codes,
                b"> Tj\n",
            ]
        ops.append(b"ET\n")
        content_number = self._new()
        self._object(content_number, b"<< /Filter /FlateDecode >>", zlib.compress(b"".join(ops), 6))
        page_number = self._new()
        self._object(
            page_number,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R "
            b"/Resources << /XObject << /Im0 %d 0 R >> /Font << /F1 3 0 R >> >> >>"
            % (_num(width), _num(height), content_number, image_number),
        )
        self._pages.append(page_number)

    # -- the font of the text layer, the page tree, the trailer
    def _font_objects(self) -> None:
        descendant, descriptor, file_number, gid_map, to_unicode = (self._new() for _ in range(5))
        ordered = sorted(self._codes.items(), key=lambda item: item[1])
        widths = b" ".join(_num(round(self.advance(char))) for char, _ in ordered) or b"1000"
        self._object(
            3,
            b"<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H "
            b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode),
        )
        self._object(
            descendant,
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            b"/FontDescriptor %d 0 R /CIDToGIDMap %d 0 R /DW 1000 /W [1 [%s]] >>"
            % (descriptor, gid_map, widths),
        )
        self._object(
            descriptor,
            b"<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 -120 1000 880] "
            b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 /FontFile2 %d 0 R >>"
            % file_number,
        )
        font = glyphless_font()
        self._object(
            file_number,
            b"<< /Length1 %d /Filter /FlateDecode >>" % len(font),
            zlib.compress(font, 9),
        )
        self._object(gid_map, b"<< /Filter /FlateDecode >>", _cid_to_gid_map())
        self._object(to_unicode, b"<< /Filter /FlateDecode >>", zlib.compress(_to_unicode(ordered), 6))

    def close(self) -> int:
        """Finish the document; returns its size in bytes."""
        self._font_objects()
        kids = b" ".join(b"%d 0 R" % n for n in self._pages)
        self._object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._pages)))
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        stamp = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ").encode()
        self._object(
            4,
            b"<< /Title %s /Author %s /Creator (training) /Producer (training) /CreationDate (%s) >>"
            % (_pdf_string(self.title), _pdf_string(self.author), stamp),
        )
        xref_at = self._written
        count = self._next
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % count]
        lines += [b"%010d 00000 n \n" % self._offsets[n] for n in range(1, count)]
        self._write(b"".join(lines))
        self._write(
            b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref_at)
        )
        return self._written


def _to_unicode(ordered: list[tuple[str, int]]) -> bytes:
    """The CMap from our codes to Unicode (UTF-16BE, so characters beyond the BMP map to surrogate pairs)."""
    head = (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    )
    body = []
    for start in range(0, len(ordered), 100):
        chunk = ordered[start : start + 100]
        body.append(b"%d beginbfchar\n" % len(chunk))
        body += [
            b"<%04X> <%s>\n" % (code, char.encode("utf-16-be").hex().upper().encode()) for char, code in chunk
        ]
        body.append(b"endbfchar\n")
    tail = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    return head + b"".join(body) + tail


def write_pdf(
    pages: list[tuple[PageImage, list[TextRun]]],
    advance: Callable[[str], float],
    title: str = "",
    author: str = "",
) -> bytes:
    """A whole document in memory (single certificates, statements)."""
    buffer = io.BytesIO()
    writer = PdfWriter(buffer, advance, title, author)
    for image, texts in pages:
        writer.add_page(image, texts)
    writer.close()
    return buffer.getvalue()


class Canvas:
    """A greyscale page drawn with Pillow, remembering every string for the text layer (sheets, statements)."""

    def __init__(self, size: tuple[int, int], font: Callable[[int], Any], dpi: float) -> None:
        from PIL import Image, ImageDraw

        self.font = font
        self.dpi = dpi
        self.image = Image.new("L", size, 255)
        self.draw = ImageDraw.Draw(self.image)
        self.runs: list[TextRun] = []

    def text(self, x: float, baseline: float, text: str, size: int, fill: int = 0, width: float = 0) -> None:
        """Left-aligned on a baseline; shrinks to fit `width` when given, then cuts with an ellipsis."""
        while width and size > 18 and self.font(size).getlength(text) > width:
            size -= 2
        fnt = self.font(size)
        if width and fnt.getlength(text) > width:
            while text and fnt.getlength(text + "…") > width:
                text = text[:-1]
            text += "…"
        self.draw.text((x, baseline), text, font=fnt, fill=fill, anchor="ls")
        self.runs.append(TextRun(x, baseline, size, text))

    def right(self, x_right: float, baseline: float, text: str, size: int, fill: int = 0) -> None:
        self.text(x_right - self.font(size).getlength(text), baseline, text, size, fill)

    def page(self) -> tuple[PageImage, list[TextRun]]:
        image = PageImage(
            self.image.tobytes(), self.image.width, self.image.height, self.dpi, "gray", jpeg=False
        )
        return image, self.runs

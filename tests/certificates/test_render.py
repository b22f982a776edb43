"""Rendering: the Simplified Chinese face, names of every length, rare characters, reused canvas, sizes."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from training.certificates import design, fonts, render, uploads
from training.certificates.design import Artwork, CertificateData, draw_certificate
from training.certificates.fonts import check_font, missing_glyphs
from training.certificates.formatting import chinese_date
from training.certificates.render import RenderJob, render_job
from training.certificates.states import Design
from training.certificates.uploads import normalise_upload
from training.programmes.states import CertificateLayout

DATA = CertificateData(
    serial="2019-0009-0042",
    verification_code="7KXM2PQR",
    teacher_name="张三梅",
    county_name="剑阁县",
    school_name="剑阁县实验小学",
    session_title="第9期暑期教师培训班",
    session_dates="2019年7月15日至7月18日",
    hours=24.0,
    issued_on=date(2019, 7, 18),
    verify_url="http://testserver.local/verify/2019-0009-0042",
)
SUMMER = Artwork(CertificateLayout.LANDSCAPE, Design.SUMMER, "暑期教师培训班", "民进四川省委 教育帮扶")
EXCHANGE = Artwork(
    CertificateLayout.PORTRAIT, Design.EXCHANGE, "江苏民进“彩虹行动”培训班", "民进四川省委 教育帮扶"
)


def test_the_font_face_is_simplified_chinese() -> None:
    assert check_font() == "Noto Sans CJK SC"
    assert fonts.font(40).getname() == ("Noto Sans CJK SC", "Regular")


def test_sc_face_draws_simplified_shapes_unlike_the_japanese_face() -> None:
    from PIL import ImageFont

    # 骨 and 直 differ between the Japanese (index 0) and Simplified Chinese (index 2) faces.
    japanese = ImageFont.truetype(str(fonts.font_path()), 80, index=0)
    for char in "骨直":
        assert bytes(fonts.font(80).getmask(char)) != bytes(japanese.getmask(char))


def test_rare_name_characters_are_in_the_font_and_missing_ones_are_reported() -> None:
    assert missing_glyphs("堃喆燊玥珺彧犇龑䶮𠮷") == []
    assert missing_glyphs("张\U00031350梅") == ["\U00031350"]  # CJK Extension H: not in Noto Sans CJK


@pytest.mark.parametrize(
    "name", ["王芳", "张三梅", "欧阳小明", "阿苦日哈·吉克木呷", "阿苦日哈木·吉克阿依莫拉什曲比阿呷"]
)
@pytest.mark.parametrize("artwork", [SUMMER, EXCHANGE], ids=["summer", "exchange"])
def test_names_of_any_length_fit_inside_the_text_column(name: str, artwork: Artwork) -> None:
    page = draw_certificate(replace(DATA, teacher_name=name), artwork)
    blank = draw_certificate(replace(DATA, teacher_name=""), artwork)
    width = page.width
    name_band = (0, int(page.height * 0.25), width, int(page.height * 0.455))
    box = ImageChops.difference(page.crop(name_band), blank.crop(name_band)).getbbox()
    assert box is not None
    left, right = box[0], box[2]
    assert left > width * 0.12 and right < width * 0.88  # never runs into the frame
    assert abs((left + right) / 2 - width / 2) < width * 0.02  # centred


def test_reused_canvas_is_restored_between_certificates(tmp_path: Path) -> None:
    first = RenderJob(DATA, SUMMER, str(tmp_path / "a.pdf"), str(tmp_path / "a.png"))
    other = replace(DATA, teacher_name="王芳", serial="2019-0009-0043", issued_on=date(2020, 1, 9))
    render_job(first)
    render_job(RenderJob(other, SUMMER, str(tmp_path / "b.pdf"), str(tmp_path / "b.png")))
    assert ImageChops.difference(render._working_page(SUMMER), design.static_base(SUMMER)).getbbox() is None
    preview = Image.open(tmp_path / "b.png").convert("RGB")
    fresh = draw_certificate(other, SUMMER).reduce(render.PREVIEW_REDUCE)
    assert ImageChops.difference(preview, fresh).getbbox() is None


def test_pdf_is_a4_at_300_dpi_and_under_600_kb(tmp_path: Path) -> None:
    result = render_job(RenderJob(DATA, EXCHANGE, str(tmp_path / "c.pdf")))
    assert result.pdf_bytes < 600 * 1024
    import pypdfium2

    page = pypdfium2.PdfDocument(str(tmp_path / "c.pdf"))[0]
    assert [round(v) for v in page.get_size()] == [595, 842]
    codes = zxingcpp.read_barcodes(page.render(scale=2).to_pil())
    assert [c.text for c in codes] == [DATA.verify_url]


def test_chinese_dates_as_printed_on_certificates() -> None:
    assert chinese_date(date(2019, 7, 18)) == "二〇一九年七月十八日"
    assert chinese_date(date(2020, 10, 1)) == "二〇二〇年十月一日"
    assert chinese_date(date(2021, 12, 25)) == "二〇二一年十二月二十五日"


def test_upload_validation_refuses_bombs_and_non_images() -> None:
    bomb = io.BytesIO()
    Image.new("1", (10000, 10000)).save(bomb, "PNG")
    with pytest.raises(uploads.ArtworkError) as info:
        normalise_upload(bomb.getvalue(), "background")
    assert info.value.code == "artwork_too_many_pixels"
    with pytest.raises(uploads.ArtworkError) as info:
        normalise_upload(b"GIF89a" + b"\0" * 100, "seal")
    assert info.value.code == "artwork_bad_type"
    with pytest.raises(uploads.ArtworkError) as info:
        normalise_upload(b"x" * (uploads.MAX_UPLOAD_BYTES + 1), "seal")
    assert info.value.code == "artwork_too_big"
    ok = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 230, 210)).save(ok, "JPEG")
    assert normalise_upload(ok.getvalue(), "background").startswith(b"\x89PNG")

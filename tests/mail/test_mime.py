"""The MIME builder: structure, encodings and attachments of a message built from an outbox row."""

import email
import email.policy
from datetime import UTC, datetime
from typing import Any

import pytest

from training.mail.mime import build_message, installation_tag
from training.mail.outbox import Attachment

SENDER = "培训项目组 <training@example.org>"
TAG = installation_tag("test-secret-" + "x" * 32)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
ICS = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nSUMMARY:第9期暑期教师培训班\r\nEND:VCALENDAR\r\n".encode()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 42,
        "to_addr": "张三 <zhang.san@example.org>",
        "subject": "报名确认：第9期暑期教师培训班",
        "body_text": "张老师您好，您的报名已确认。",
        "body_html": '<p>张老师您好</p><img src="cid:qr-42" alt="二维码">',
        "attachments": [
            Attachment("二维码.png", "image/png", PNG, inline_cid="qr-42").to_json(),
            Attachment("二维码.png", "image/png", PNG).to_json(),
            Attachment("培训日程.ics", "text/calendar", ICS).to_json(),
            Attachment("须知.pdf", "application/pdf", PDF).to_json(),
        ],
        "created_at": datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
    }
    base.update(overrides)
    return base


def reparse(message: email.message.EmailMessage) -> email.message.EmailMessage:
    """What a receiving client sees: the bytes on the wire, parsed again."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_chinese_subject_and_display_names_survive_the_wire() -> None:
    wire = build_message(row(), SENDER, installation=TAG).as_bytes()
    assert wire.isascii()  # every header encoded; bodies in base64
    parsed = reparse(build_message(row(), SENDER, installation=TAG))
    assert parsed["Subject"] == "报名确认：第9期暑期教师培训班"
    assert parsed["From"].addresses[0].display_name == "培训项目组"
    assert parsed["From"].addresses[0].addr_spec == "training@example.org"
    assert parsed["To"].addresses[0].display_name == "张三"
    assert parsed["To"].addresses[0].addr_spec == "zhang.san@example.org"


def test_layout_is_mixed_alternative_related() -> None:
    parsed = reparse(build_message(row(), SENDER, installation=TAG))
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, *files = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content().strip() == "张老师您好，您的报名已确认。"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html" and "cid:qr-42" in html.get_content()
    assert image["Content-ID"] == "<qr-42>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == PNG
    assert [f.get_content_type() for f in files] == ["image/png", "text/calendar", "application/pdf"]


def test_attachments_keep_names_bytes_and_calendar_method() -> None:
    parsed = reparse(build_message(row(), SENDER, installation=TAG))
    files = {part.get_filename(): part for part in parsed.iter_attachments()}
    assert set(files) == {"二维码.png", "培训日程.ics", "须知.pdf"}
    assert files["二维码.png"].get_content() == PNG
    assert files["须知.pdf"].get_content() == PDF
    calendar = files["培训日程.ics"]
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_payload(decode=True) == ICS


def test_text_only_message_is_a_single_part() -> None:
    parsed = reparse(build_message(row(body_html="", attachments=[]), SENDER, installation=TAG))
    assert parsed.get_content_type() == "text/plain"
    assert not parsed.is_multipart()


def test_inline_images_without_html_become_attachments() -> None:
    attachments = [Attachment("qr.png", "image/png", PNG, inline_cid="qr").to_json()]
    parsed = reparse(build_message(row(body_html="", attachments=attachments), SENDER, installation=TAG))
    assert [part.get_filename() for part in parsed.iter_attachments()] == ["qr.png"]


def test_message_id_is_stable_for_a_row() -> None:
    first = build_message(row(), SENDER, installation=TAG)
    again = build_message(row(), SENDER, now=datetime(2030, 1, 1, tzinfo=UTC), installation=TAG)
    assert first["Message-ID"] == again["Message-ID"] == f"<outbox.42.1782892800.{TAG}@example.org>"
    assert build_message(row(id=43), SENDER, installation=TAG)["Message-ID"] != first["Message-ID"]


def test_attachments_may_arrive_as_json_text() -> None:
    import json

    parsed = reparse(
        build_message(row(attachments=json.dumps(row()["attachments"])), SENDER, installation=TAG)
    )
    assert len(list(parsed.iter_attachments())) == 3


@pytest.mark.parametrize("to_addr", ["", "no-at-sign", "a@b.cn\r\nBcc: x@y.cn"])
def test_a_row_that_cannot_be_a_message_is_refused(to_addr: str) -> None:
    with pytest.raises(ValueError):
        build_message(row(to_addr=to_addr), SENDER, installation=TAG)


def test_subject_cannot_inject_headers() -> None:
    parsed = reparse(build_message(row(subject="hi\r\nBcc: evil@example.org"), SENDER, installation=TAG))
    assert parsed["Bcc"] is None


def test_message_ids_differ_between_installations_and_stay_stable_within_one() -> None:
    ours = build_message(row(), SENDER, installation=installation_tag("one-installation-" + "a" * 32))
    theirs = build_message(row(), SENDER, installation=installation_tag("another-installation-" + "b" * 32))
    again = build_message(row(), SENDER, installation=installation_tag("one-installation-" + "a" * 32))
    assert ours["Message-ID"] != theirs["Message-ID"]
    assert ours["Message-ID"] == again["Message-ID"]
    assert "one-installation" not in ours["Message-ID"] and "aaaa" not in ours["Message-ID"]

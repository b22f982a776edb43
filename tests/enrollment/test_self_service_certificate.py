"""A teacher finds their certificate on the self-service page and downloads the PDF through the signed link."""

import re
from typing import Any

import pypdfium2
from litestar.testing import TestClient

from tests.kit.sync import run_sync
from training import keys
from training.certificates.tables import Certificate
from training.core.links import make_link_token, read_link_token
from training.demo import load_demo


def test_the_status_page_links_to_the_certificate_pdf(client: TestClient[Any]) -> None:
    run_sync(load_demo(seed=2019))
    cert = run_sync(Certificate.select(Certificate.enrollment, Certificate.serial).first())
    token = make_link_token(keys.current().teacher_link, cert["enrollment"])
    page = client.get(f"/me/{token}")
    assert page.status_code == 200
    # The page signs its own link: its expiry (whole seconds) may differ from the token above by a second.
    found = re.search(rf'href="(/certificates/{re.escape(cert["serial"])}\.pdf\?t=([\w-]+))"', page.text)
    assert found and "下载我的结业证书" in page.text
    link = found.group(1)
    assert read_link_token(keys.current().teacher_link, found.group(2)) == cert["enrollment"]
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    assert len(document) == 1
    # Another enrollment's link does not open this certificate.
    other = make_link_token(keys.current().teacher_link, cert["enrollment"] + 1)
    assert client.get(f"/certificates/{cert['serial']}.pdf?t={other}").status_code in (403, 404)

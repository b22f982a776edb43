"""Sections other packages add to the teacher's /me page (training/enrollment/sections.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.kit import world
from tests.kit.sync import run_sync
from training import keys
from training.certificates.verifying import HeldCertificate
from training.core.links import make_link_token
from training.enrollment import sections
from training.enrollment.self_service import EnrollmentView


@pytest.fixture
def extra_sections() -> Iterator[None]:
    before = dict(sections.PAGE._sections)
    yield
    sections.PAGE._sections.clear()
    sections.PAGE._sections.update(before)


def _my_link() -> str:
    county = run_sync(world.county())
    session = run_sync(world.session(run_sync(world.programme())))
    enrollment = run_sync(world.enrollment(session, run_sync(world.teacher(county, name="李雪"))))
    return f"/me/{make_link_token(keys.current().teacher_link, enrollment)}"


def _my_page(client: TestClient[Any], link: str) -> str:
    page = client.get(link)
    assert page.status_code == 200
    return page.text


def test_the_app_installs_the_certificate_and_hours_sections(client: TestClient[Any]) -> None:
    names = [s.name for s in sections.registered()]
    assert names.index("certificate") < names.index("hours")


def test_a_registered_section_shows_in_order_with_the_page_context(
    client: TestClient[Any], extra_sections: None
) -> None:
    async def one(view: EnrollmentView) -> Mapping[str, Any] | None:
        return {"certificates": [HeldCertificate(f"SERIAL-{view.teacher_name}", "", 3.0)]}

    async def nothing(view: EnrollmentView) -> Mapping[str, Any] | None:
        return None

    template = "certificates/_me_certificate.html"
    sections.register(sections.SelfServiceSection("late", 90, template, one))
    sections.register(sections.SelfServiceSection("early", 5, template, nothing))
    names = [s.name for s in sections.registered()]
    assert names.index("early") < names.index("certificate") < names.index("hours") < names.index("late")
    link = _my_link()
    page = _my_page(client, link)
    # the section's own context and the page's (`v.link_token` in the download link)
    assert "SERIAL-李雪.pdf?t=" in page
    # registering a name again replaces the section
    sections.register(sections.SelfServiceSection("late", 90, template, nothing))
    assert "SERIAL-" not in _my_page(client, link)

"""With SMS on, the nominee is told by SMS (short link) and e-mail, even when she asked for essential messages only:
her county's seat waits on her answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.enrollment.factory import fetch
from tests.enrollment.test_nominate_from_file import _pick, world
from tests.kit.sync import run_sync
from tests.kit.web import login_as
from tests.sms.conftest import provider_settings
from tests.sms.servers import AliyunServer
from training.config import Settings
from training.mail.tables import OutboxMessage
from training.notify import preferences


@pytest.fixture
def sms_server() -> Iterator[AliyunServer]:
    with AliyunServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, sms_server: AliyunServer) -> Settings:
    return provider_settings(settings, "aliyun", sms_server)


def test_the_nominee_is_told_by_sms_and_e_mail(client: TestClient[Any]) -> None:
    w = world()
    run_sync(preferences.save(w.li, "email", True))  # e-mail preferred, essential messages only
    login_as(client, "coordinator", county_id=w.jiange)
    done = _pick(client, w.cohort, w.li)
    assert done.status_code == 302 and "told=sms%2Cemail" in done.headers["location"]
    rows = fetch(
        OutboxMessage.select().where(OutboxMessage.kind == "nominated").order_by(OutboxMessage.channel)
    )
    assert [r["channel"] for r in rows] == ["email", "sms"]
    sms = rows[1]
    assert "*" in sms["to_addr"]  # only the mask is stored in clear
    assert "剑阁县推荐您参加2027 彩虹行动 南通班" in sms["body_text"] and "/m/" in sms["body_text"]
    page = client.get(done.headers["location"])
    assert "已通过短信和邮件通知她" in page.text

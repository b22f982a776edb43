"""Provider servers on loopback and settings pointing the SMS clients at them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.sms.servers import AliyunServer, ProviderServer, TencentServer
from training.config import Settings

SIGN_NAME = "培训项目组"


def provider_settings(settings: Settings, provider: str, server: ProviderServer) -> Settings:
    templates = (
        {"default": "SMS_100000001", "code": "SMS_100000002"}
        if provider == "aliyun"
        else {"default": "1110001", "code": "1110002"}
    )
    return replace(
        settings,
        sms_provider=provider,
        sms_access_key_id=server.access_key_id,
        sms_access_key_secret=server.access_key_secret,
        sms_sign_name=SIGN_NAME,
        sms_templates=templates,
        sms_app_id="1400006666" if provider == "tencent" else "",
        sms_endpoint=server.url,
        sms_timeout=5.0,
    )


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request: pytest.FixtureRequest, settings: Settings) -> Iterator[tuple[ProviderServer, Settings]]:
    """(server, settings) for each provider in turn."""
    server: ProviderServer = AliyunServer() if request.param == "aliyun" else TencentServer()
    with server:
        yield server, provider_settings(settings, request.param, server)

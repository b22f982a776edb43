"""Notification tests run with SMS on: an Alibaba Cloud protocol server on loopback and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sms.conftest import provider_settings
from tests.sms.servers import AliyunServer
from training.config import Settings


@pytest.fixture
def sms_server() -> Iterator[AliyunServer]:
    with AliyunServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, sms_server: AliyunServer) -> Settings:
    return provider_settings(settings, "aliyun", sms_server)

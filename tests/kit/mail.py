"""A real SMTP server on loopback (aiosmtpd) and settings pointing at it."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

import pytest

from training.config import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailSink:
    """A real SMTP server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._cond = threading.Condition()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with sink._cond:
                    sink.messages.append(message)  # type: ignore[arg-type]
                    sink._cond.notify_all()
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        if getattr(self, "_started_once", False):
            # aiosmtpd closes a controller's event loop on stop(): a restart needs a fresh controller
            # (same handler, same port).
            from aiosmtpd.controller import Controller

            self.controller = Controller(self.controller.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self._started_once = True

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
                self._cond.wait(remaining)
            return list(self.messages)


@pytest.fixture
def smtp_server() -> Iterator[MailSink]:
    sink = MailSink()
    sink.start()
    yield sink
    try:
        sink.stop()
    except Exception:  # already stopped by a test that simulates an outage
        pass


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: MailSink) -> Settings:
    """Settings pointing at the test SMTP server."""
    return replace(settings, smtp_port=smtp_server.port, smtp_host="127.0.0.1")

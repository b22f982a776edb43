"""Mail test helpers: a relay that refuses chosen recipients (real aiosmtpd, wrapped handler)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import MailSink


class RefuseRecipients:
    """Wraps the sink's handler: RCPT TO for an address in `refused` gets its reply (e.g. 550 or 450);
    counts connections."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.refused: dict[str, str] = {}
        self.greetings = 0  # EHLOs seen: one per connection

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return str(await self.inner.handle_DATA(server, session, envelope))


@pytest.fixture
def picky_relay(smtp_server: MailSink) -> RefuseRecipients:
    """The test SMTP server, now refusing the recipients put in `.refused` (address → reply)."""
    wrapper = RefuseRecipients(smtp_server.controller.handler)
    smtp_server.controller.handler = wrapper  # each new SMTP session reads the controller's handler
    return wrapper

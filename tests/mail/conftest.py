"""Mail test helpers: a relay that refuses chosen recipients (real aiosmtpd, wrapped handler)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.mail import MailSink


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


class AuthSink:
    """A real aiosmtpd relay that requires SMTP AUTH (PLAIN, without TLS: loopback only)."""

    def __init__(self, user: str, password: str) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        from tests.kit.mail import free_port

        self.subjects: list[str] = []
        self.port = free_port()
        sink = self

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
                user.encode(),
                password.encode(),
            )
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                import email
                import email.policy

                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                sink.subjects.append(str(message["Subject"]))
                return "250 OK"

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=False,
        )


@pytest.fixture
def auth_relay() -> Any:
    relay = AuthSink("training", "relay-secret")
    relay.controller.start()
    yield relay
    relay.controller.stop()

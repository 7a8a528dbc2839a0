"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from tests.smtp import smtp_server


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp(settings):
    """Start the server, point Django's default mailer at it, stop it afterwards."""
    inbox = Inbox()
    with smtp_server(settings, inbox):
        yield inbox

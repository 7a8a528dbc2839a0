"""Notification test helpers: a real SMTP server on loopback that keeps envelopes too, and a
runner that takes queued tasks through django-tasks-db's worker the way `serval worker` does."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.smtp import smtp_server


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class Inbox:
    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if r.rcpt_tos == [address]]

    def addresses(self) -> list[str]:
        return sorted(a for r in self.received for a in r.rcpt_tos)


@pytest.fixture
def inbox(settings):
    """Start aiosmtpd on loopback, point Django's default mailer at it, stop it afterwards."""
    box = Inbox()
    settings.DEFAULT_FROM_EMAIL = "serval@desk.example"
    with smtp_server(settings, box):
        yield box


def run_queue() -> list[DBTaskResult]:
    """Run every ready task through django-tasks-db's worker; returns the rows it ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran: list[DBTaskResult] = []
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        ran.append(result)
    return ran

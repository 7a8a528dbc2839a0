"""SECURITY-REFERENCE G3: CR/LF in a title (or any text that reaches a header) cannot add
headers or recipients; the subject is folded to one line."""

from __future__ import annotations

from serval.incidents.actions import update_incident
from serval.work.models import WorkItem
from tests import factories as f
from tests.notifications.conftest import run_queue


def test_a_title_with_crlf_stays_in_the_subject(world, inbox):
    item = f.make_incident(world.requester, title="Broken")
    evil = "Broken\r\nBcc: thief@evil.test\r\nX-Injected: yes\n\u2028Cc: x@evil.test"
    WorkItem.objects.filter(pk=item.pk).update(title=evil)  # whatever got past the form
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    run_queue()
    [mail] = inbox.received
    assert mail.rcpt_tos == [world.agent.email]
    assert mail.message["Bcc"] is None and mail.message["Cc"] is None
    assert mail.message["X-Injected"] is None
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "Bcc: thief@evil.test" in mail.subject  # kept as harmless text

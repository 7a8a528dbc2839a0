"""Issue 3 "Notifications": a public comment mails the caller, the watchers and the assignee,
never its author; each recipient gets a message addressed to them alone (SECURITY-REFERENCE
G4: no recipient list, Cc or Bcc reveals who else was told)."""

from __future__ import annotations

from serval.incidents.actions import comment_on_incident, update_incident
from serval.work.actions import set_watching
from tests import factories as f
from tests.notifications.conftest import run_queue


def _assigned(world):
    item = f.make_incident(world.requester, title="Mail is slow")
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    set_watching(item=item, actor=world.agent2, user=world.agent2, watching=True)
    set_watching(
        item=item, actor=world.requester_same_org, user=world.requester_same_org, watching=True
    )
    run_queue()
    return item


def test_an_agents_comment_reaches_caller_watchers_but_not_its_author(world, inbox):
    item = _assigned(world)
    inbox.received.clear()
    comment_on_incident(actor=world.agent, item=item, body="Can you restart Outlook?")
    run_queue()
    expected = sorted([world.requester.email, world.agent2.email, world.requester_same_org.email])
    assert inbox.addresses() == expected
    for mail in inbox.received:
        assert mail.subject == f"[{item.number}] New comment: Mail is slow"
        assert "Can you restart Outlook?" in mail.text()
        assert mail.rcpt_tos == [mail.to]  # one recipient per message
        assert mail.message["Cc"] is None and mail.message["Bcc"] is None


def test_the_callers_reply_reaches_the_assignee_and_watchers(world, inbox):
    item = _assigned(world)
    inbox.received.clear()
    comment_on_incident(actor=world.requester, item=item, body="Done, still slow.")
    run_queue()
    expected = sorted([world.agent.email, world.agent2.email, world.requester_same_org.email])
    assert inbox.addresses() == expected


def test_the_html_part_escapes_the_comment(world, inbox):
    item = _assigned(world)
    inbox.received.clear()
    comment_on_incident(actor=world.agent, item=item, body="<script>alert(1)</script>")
    run_queue()
    html = inbox.to(world.requester.email)[0].html()
    assert "<script>" not in html and "&lt;script&gt;" in html

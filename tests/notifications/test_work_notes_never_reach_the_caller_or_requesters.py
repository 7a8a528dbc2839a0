"""SECURITY-REFERENCE A4: internal work notes never reach requesters by e-mail. A work note
mails the assignee and the watchers who are agents — never the caller, even one who is an agent,
and never a requester who watches the item."""

from __future__ import annotations

from serval.incidents.actions import comment_on_incident, update_incident
from serval.work.actions import set_watching
from tests import factories as f
from tests.notifications.conftest import run_queue


def test_a_work_note_goes_to_assignee_and_agent_watchers_only(world, inbox):
    item = f.make_incident(world.requester, title="Disk full")
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    set_watching(item=item, actor=world.agent2, user=world.agent2, watching=True)
    set_watching(
        item=item, actor=world.requester_same_org, user=world.requester_same_org, watching=True
    )
    run_queue()
    inbox.received.clear()
    comment_on_incident(actor=world.manager, item=item, body="Secret: root pw", internal=True)
    run_queue()
    assert inbox.addresses() == sorted([world.agent.email, world.agent2.email])
    for mail in inbox.received:
        assert mail.subject == f"[{item.number}] New work note: Disk full"
    everything = " ".join(str(m.message) for m in inbox.received)
    assert world.requester.email not in everything
    assert world.requester_same_org.email not in everything


def test_an_agent_caller_does_not_get_work_notes_either(world, inbox):
    item = f.make_incident(world.agent2, assignment_group=world.team.pk, assignee=world.agent.pk)
    run_queue()
    inbox.received.clear()
    comment_on_incident(actor=world.manager, item=item, body="internal", internal=True)
    run_queue()
    assert inbox.addresses() == [world.agent.email]

"""Issue 3 "Notifications": assigning a work item mails the new assignee; routing it to a group
with nobody assigned mails the group's members; whoever made the change gets nothing."""

from __future__ import annotations

from serval.incidents.actions import update_incident
from tests import factories as f
from tests.notifications.conftest import run_queue


def test_assigning_a_person_mails_only_that_person(world, inbox):
    item = f.make_incident(world.requester, title="Printer on fire")
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    run_queue()
    assert inbox.addresses() == [world.agent.email]
    [mail] = inbox.to(world.agent.email)
    assert mail.subject == f"[{item.number}] Assigned: Printer on fire"
    assert "is now assigned to you" in mail.text()
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert {p.get_content_type() for p in mail.message.walk()} >= {"text/plain", "text/html"}


def test_a_group_without_assignee_mails_its_members_but_not_the_actor(world, inbox):
    item = f.make_incident(world.requester)
    update_incident(actor=world.manager, item=item, assignment_group=world.team.pk)
    run_queue()
    # Service Desk is alice and mona; mona routed it herself.
    assert inbox.addresses() == [world.agent.email]
    assert "queue of Service Desk" in inbox.received[0].text()


def test_taking_it_yourself_mails_nobody(world, inbox):
    item = f.make_incident(world.requester)
    update_incident(
        actor=world.agent, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    run_queue()
    assert inbox.received == []


def test_created_already_assigned_mails_the_assignee(world, inbox):
    item = f.make_incident(
        world.manager, assignment_group=world.team.pk, assignee=world.agent.pk, title="VPN"
    )
    run_queue()
    assert [m.subject for m in inbox.to(world.agent.email)] == [f"[{item.number}] Assigned: VPN"]
    assert inbox.addresses() == [world.agent.email]

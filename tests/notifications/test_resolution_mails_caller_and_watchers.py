"""Issue 3 "Notifications": resolving mails the caller and the watchers with the resolution."""

from __future__ import annotations

from serval.incidents import states as S
from serval.incidents.actions import transition_incident, update_incident
from serval.work.actions import set_watching
from tests import factories as f
from tests.notifications.conftest import run_queue


def test_resolving_mails_the_caller_and_watchers_but_not_the_resolver(world, inbox):
    item = f.make_incident(world.requester, title="Wi-Fi drops")
    update_incident(
        actor=world.agent, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    set_watching(item=item, actor=world.agent2, user=world.agent2, watching=True)
    run_queue()
    inbox.received.clear()
    transition_incident(
        actor=world.agent,
        item=item,
        to=S.RESOLVED,
        close_code="solved_remotely",
        close_notes="Replaced the access point.",
    )
    run_queue()
    assert inbox.addresses() == sorted([world.requester.email, world.agent2.email])
    mail = inbox.to(world.requester.email)[0]
    assert mail.subject == f"[{item.number}] Resolved: Wi-Fi drops"
    assert "Replaced the access point." in mail.text()
    assert "Solved remotely" in mail.text()

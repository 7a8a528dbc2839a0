"""Assignment mails work for every kind: a change's and a change task's assignee is told, with a
link to that item's own page (DOMAIN.md §2.3 "change tasks assigned to teams")."""

from __future__ import annotations

from serval.changes import actions, tasks
from tests.changes.conftest import make_change
from tests.notifications.conftest import run_queue


def test_a_change_and_its_task_mail_their_assignees_with_their_own_links(world, inbox):
    change = make_change(world.manager, assignment_group=world.team.pk, assignee=world.agent.pk)
    task = tasks.create_task(
        actor=world.manager,
        change=change,
        title="Fail over the database",
        assignment_group=world.team2.pk,
        assignee=world.agent2.pk,
    )
    run_queue()
    to_agent = inbox.to(world.agent.email)
    assert [m.subject for m in to_agent] == [f"[{change.number}] Assigned: {change.title}"]
    assert f"/changes/{change.number}/" in to_agent[0].text()
    assert "Requester" in to_agent[0].text()
    to_agent2 = inbox.to(world.agent2.email)
    assert [m.subject for m in to_agent2] == [f"[{task.number}] Assigned: Fail over the database"]
    assert f"/change-tasks/{task.number}/" in to_agent2[0].text()
    actions.update_change(actor=world.manager, item=change, assignee=world.manager.pk)
    run_queue()
    assert len(inbox.to(world.agent.email)) == 1

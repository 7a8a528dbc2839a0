"""DESIGN.md §2 rule 4: tasks are idempotent. Running a notification task again (a retry, an
admin's "retry") sends nothing already sent, and each (event, recipient) has one stable
Message-ID, so even a mail whose bookkeeping was lost is recognisable as a duplicate."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from serval.incidents.actions import comment_on_incident, update_incident
from serval.notifications.tasks import notify_work_item
from tests import factories as f
from tests.notifications.conftest import run_queue


def test_running_the_task_again_sends_nothing(world, inbox):
    item = f.make_incident(world.requester)
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    run_queue()
    inbox.received.clear()
    comment_on_incident(actor=world.agent, item=item, body="Looking into it.")
    [ran] = [r for r in run_queue() if r.task_path == notify_work_item.module_path]
    assert ran.status == "SUCCESSFUL" and ran.return_value == 1
    first_id = inbox.received[0].message["Message-ID"]
    assert notify_work_item.call(*ran.args_kwargs["args"]) == 0
    assert len(inbox.received) == 1
    assert first_id.startswith("<serval.") and first_id.endswith("@desk.example>")
    assert inbox.received[0].message["In-Reply-To"] == inbox.received[0].message["References"]


def test_the_notification_commits_and_rolls_back_with_the_write(world, inbox):
    """The task row is written in the action's transaction: a failed write leaves none."""
    from django.db import transaction

    item = f.make_incident(world.requester)
    before = DBTaskResult.objects.filter(task_path=notify_work_item.module_path).count()
    try:
        with transaction.atomic():
            comment_on_incident(actor=world.agent, item=item, body="never happened")
            raise RuntimeError("the write fails after the comment")
    except RuntimeError:
        pass
    assert DBTaskResult.objects.filter(task_path=notify_work_item.module_path).count() == before
    run_queue()
    assert inbox.received == []

"""A change task is a work item of its own (DOMAIN.md §2.3 "change tasks assigned to teams"):
its page shows its fields, moves, comments and timeline; the API reaches it at
/api/v1/change-tasks/{number}; closing it is recorded on its change."""

from __future__ import annotations

from serval.changes import tasks
from serval.core.models import JournalEvent
from serval.work.models import WorkItem
from tests import factories as f
from tests.api.conftest import Api, assert_problem
from tests.changes.conftest import make_change


def test_an_agent_starts_and_completes_a_task_from_its_page(world, client):
    change = make_change(world.agent)
    task = tasks.create_task(actor=world.agent, change=change, title="Back up the database")
    client.force_login(world.agent)
    page = client.get(f"/change-tasks/{task.number}/").content.decode()
    assert "Back up the database" in page and change.number in page and "Start work" in page
    client.post(f"/change-tasks/{task.number}/transition", {"to": "in_progress", "version": 1})
    task.refresh_from_db()
    missing = client.post(
        f"/change-tasks/{task.number}/transition", {"to": "complete", "version": task.version}
    )
    assert missing.status_code == 200 and "data-open-on-load" in missing.content.decode()
    done = client.post(
        f"/change-tasks/{task.number}/transition",
        {"to": "complete", "version": task.version, "close_notes": "Backup verified."},
    )
    assert done.status_code == 302
    assert WorkItem.objects.get(pk=task.pk).state == "complete"
    closed = JournalEvent.objects.get(subject_id=change.pk, verb="task_closed")
    assert closed.data["task"] == task.number
    page = client.get(f"/changes/{change.number}/").content.decode()
    assert "closed the task" in page and "Closed complete" in page


def test_the_api_reads_edits_and_moves_a_task_and_hides_it_from_others(world):
    change = make_change(world.agent)
    api = Api(f.token_for(world.agent))
    made = api.post(
        f"changes/{change.number}/tasks",
        {"title": "Patch node 2", "assignment_group": world.team2.pk},
    )
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    assert made["Location"].endswith(f"/api/v1/change-tasks/{number}")
    tag = api.get(f"change-tasks/{number}")["ETag"]
    assert (
        api.patch(f"change-tasks/{number}", {"assignee": "bob"}, **{"If-Match": tag}).json()[
            "assignee"
        ]["username"]
        == "bob"
    )
    assert_problem(api.patch(f"change-tasks/{number}", {"title": "x"}, **{"If-Match": tag}), 412)
    wrong = api.post(f"change-tasks/{number}/transition", {"to": "complete"})
    assert assert_problem(wrong, 409)["allowed"]
    note = api.post(f"change-tasks/{number}/comments", {"body": "Waiting for the window."})
    assert note.status_code == 201
    assert Api(f.token_for(world.outsider_agent)).get(f"change-tasks/{number}").status_code == 404
    assert Api(f.token_for(world.requester)).get(f"change-tasks/{number}").status_code == 404

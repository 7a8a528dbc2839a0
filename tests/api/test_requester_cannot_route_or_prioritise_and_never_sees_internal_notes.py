"""Field-level limits for requesters, and internal work notes never reach them (A4, A8)."""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import assert_problem


def test_requester_cannot_set_assignee_group_or_priority(world, api_as):
    api = api_as(world.requester)
    for extra in (
        {"assignee": "alice"},
        {"assignment_group": world.team.pk},
        {"caller": "sam"},
        {"priority": 1},
    ):
        body = assert_problem(api.post("incidents", {"title": "Help", **extra}), 422)
        assert [e["field"] for e in body["errors"]] == list(extra)


def test_requester_cannot_patch(world, api_as):
    number = f.make_incident(world.requester).number
    response = api_as(world.requester).patch(f"incidents/{number}", {"assignee": "alice"})
    assert_problem(response, 403)


def test_requester_cannot_write_work_notes(world, api_as):
    number = f.make_incident(world.requester).number
    response = api_as(world.requester).post(
        f"incidents/{number}/comments", {"body": "psst", "internal": True}
    )
    assert_problem(response, 403)


def test_internal_events_and_files_are_hidden_from_requesters(world, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from serval.work.actions import add_attachment

    item = f.make_incident(world.requester, title="Wi-Fi flaky")
    agent = api_as(world.agent)
    agent.post(f"incidents/{item.number}/comments", {"body": "Caller is VIP", "internal": True})
    agent.post(f"incidents/{item.number}/comments", {"body": "Looking into it"})
    secret = add_attachment(
        item=item,
        actor=world.agent,
        upload=SimpleUploadedFile("notes.txt", b"internal"),
        internal=True,
    )

    requester = api_as(world.requester)
    journal = requester.get(f"incidents/{item.number}/journal").json()["items"]
    assert "work_note" not in {e["verb"] for e in journal}
    assert all(not e["internal"] for e in journal)
    assert "Caller is VIP" not in str(journal)
    assert "Looking into it" in str(journal)
    assert requester.get(f"incidents/{item.number}/attachments").json() == []
    assert_problem(requester.get(f"attachments/{secret.pk}/download"), 404)

    agent_journal = agent.get(f"incidents/{item.number}/journal").json()["items"]
    assert "work_note" in {e["verb"] for e in agent_journal}
    assert agent.get(f"attachments/{secret.pk}/download").status_code == 200

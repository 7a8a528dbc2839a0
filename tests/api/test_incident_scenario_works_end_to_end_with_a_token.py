"""The issue's API scenario, start to finish, with a token as `serval token create` makes one.

DOMAIN.md §2.1 (states, priority matrix, assignment, resolution); DESIGN.md §4 (REST API).
"""

from __future__ import annotations

from tests.api.conftest import assert_problem


def test_an_agent_runs_an_incident_from_new_to_closed(world, api_as):
    agent = api_as(world.agent)

    created = agent.post(
        "incidents",
        {
            "title": "Mail is down for Finance",
            "description": "Outlook cannot connect since 09:00.",
            "impact": 2,
            "urgency": 1,
            "assignment_group": world.team.pk,
            "caller": world.requester.username,
            "service": "E-mail",
            "configuration_item": "mx1",
            "channel": "phone",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    number = body["number"]
    assert number.startswith("INC-")
    assert body["state"] == "new"
    assert body["priority"] == 2  # impact 2 × urgency 1 → P2 (DOMAIN.md §2.1)
    assert body["caller"]["username"] == "rita"
    assert body["assignment_group"] == {"id": world.team.pk, "name": "Service Desk"}
    assert body["organization"]["name"] == "Finance"
    assert body["channel"] == "phone"
    targets = {t["to"] for t in body["allowed_transitions"]}
    assert targets == {"in_progress", "on_hold", "resolved", "cancelled"}
    assert created["Location"].endswith(f"/api/v1/incidents/{number}")

    detail = agent.get(f"incidents/{number}")
    assert detail.status_code == 200
    etag = detail["ETag"]

    patched = agent.patch(f"incidents/{number}", {"assignee": "alice"}, **{"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert patched.json()["assignee"]["username"] == "alice"
    assert patched["ETag"] != etag

    started = agent.post(f"incidents/{number}/transition", {"to": "in_progress"})
    assert started.status_code == 200, started.content
    assert started.json()["state"] == "in_progress"

    note = agent.post(f"incidents/{number}/comments", {"body": "Checking mx1.", "internal": True})
    assert note.status_code == 201
    assert note.json()["verb"] == "work_note"
    reply = agent.post(f"incidents/{number}/comments", {"body": "We are on it."})
    assert reply.json()["verb"] == "comment"

    uploaded = agent.upload(f"incidents/{number}/attachments", "trace.log", b"smtp timeout\n")
    assert uploaded.status_code == 201, uploaded.content
    download = agent.get(uploaded.json()["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"smtp timeout\n"

    resolved = agent.post(
        f"incidents/{number}/transition",
        {"to": "resolved", "close_code": "solved_permanently", "close_notes": "Restarted mx1."},
    )
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["resolved_by"]["username"] == "alice"

    closed = api_as(world.requester).post(f"incidents/{number}/transition", {"to": "closed"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    assert closed.json()["allowed_transitions"] == []

    journal = agent.get(f"incidents/{number}/journal").json()
    verbs = [e["verb"] for e in journal["items"]]
    assert verbs[0] == "created"
    assert {"updated", "transition", "work_note", "comment", "attachment"} <= set(verbs)
    assert [e["seq"] for e in journal["items"]] == sorted(e["seq"] for e in journal["items"])
    assert all(len(e["hash"]) == 64 for e in journal["items"])
    assert journal["items"][0]["actor"]["username"] == "alice"


def test_a_requester_logs_an_incident_for_themselves(world, api_as):
    response = api_as(world.requester).post("incidents", {"title": "Printer jams", "impact": 3})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["caller"]["username"] == "rita"
    assert body["assignee"] is None
    assert body["priority"] == 5  # impact 3 × default urgency 3


def test_a_closed_incident_refuses_further_moves_with_409(world, api_as):
    agent = api_as(world.agent)
    number = agent.post("incidents", {"title": "Duplicate"}).json()["number"]
    cancelled = agent.post(
        f"incidents/{number}/transition", {"to": "cancelled", "cancel_reason": "Duplicate."}
    )
    assert cancelled.status_code == 200
    again = agent.post(f"incidents/{number}/transition", {"to": "in_progress"})
    assert assert_problem(again, 409)["allowed"] == []

"""CAB boards and meetings through the API (`/api/v1/approvals/boards`, `/meetings/{id}/agenda`,
`/decisions`) and the pages under /approvals/boards/: plan, build the agenda, record decisions;
minutes are Markdown rendered safely (SECURITY-REFERENCE B1/B4)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from serval.approvals import boards
from serval.approvals.models import AgendaItem, BoardMeeting
from serval.changes.models import ChangeDetail
from tests.approvals.conftest import (
    assert_problem,
    fresh,
    make_change,
    make_policy,
    step,
    submit,
)


def _start():
    return (timezone.now() + timedelta(days=2)).replace(microsecond=0)


def test_the_api_from_board_to_decision(world, api_as):
    admin, mona = api_as(world.admin), api_as(world.manager)
    created = admin.post(
        "approvals/boards",
        {"name": "Infra CAB", "chair": "bob", "members": ["mona", "bob"], "emergency": False},
    )
    assert created.status_code == 201, created.content
    board = created.json()
    assert [m["username"] for m in board["members"]] == ["bob", "mona"]
    assert_problem(mona.post("approvals/boards", {"name": "Mine"}), 403)
    assert_problem(admin.post("approvals/boards", {"name": "X", "members": ["otto"]}), 422)
    assert_problem(api_as(world.requester).get("approvals/boards"), 403)

    make_policy(world, step(stage="authorize", kind="board", board=board["id"]))
    change = submit(world.agent, make_change(world.agent))
    start = _start()
    meeting = mona.post(
        "approvals/meetings",
        {
            "board": board["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "location": "Room 4",
            "attendees": ["mona", "bob"],
        },
    ).json()
    built = mona.post(f"approvals/meetings/{meeting['id']}/agenda/build").json()
    assert built["added"] == 1
    [entry] = built["agenda"]["items"]
    assert (entry["change"]["number"], entry["pending"], entry["decision"]) == (
        change.number,
        True,
        "",
    )
    refused = mona.post(
        f"approvals/meetings/{meeting['id']}/decisions",
        {"change": change.number, "decision": "reject"},
    )
    assert assert_problem(refused, 422)["errors"][0]["field"] == "notes"
    decided = mona.post(
        f"approvals/meetings/{meeting['id']}/decisions",
        {"change": change.number, "decision": "approve", "notes": "Agreed."},
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["decision"] == "approved"
    assert fresh(change).state == "scheduled"
    assert ChangeDetail.objects.get(pk=change.pk).cab_date == start
    decisions = mona.get(f"approvals/meetings/{meeting['id']}/decisions").json()["items"]
    assert [d["change"]["number"] for d in decisions] == [change.number]

    etag = mona.get(f"approvals/meetings/{meeting['id']}")["ETag"]
    minutes = mona.patch(
        f"approvals/meetings/{meeting['id']}",
        {"minutes": "**Go** <script>alert(1)</script> [x](javascript:alert(1))"},
        If_Match=etag,
    ).json()
    assert "<strong>Go</strong>" in minutes["minutes_html"]
    html = minutes["minutes_html"]
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html
    held = mona.post(f"approvals/meetings/{meeting['id']}/state", {"state": "held"}).json()
    assert held["state"] == "held"
    listed = mona.get(f"approvals/meetings?board={board['id']}&state=held").json()["items"]
    assert [m["id"] for m in listed] == [meeting["id"]]
    assert_problem(api_as(world.outsider_agent).get(f"approvals/meetings/{meeting['id']}"), 404)
    assert_problem(
        api_as(world.agent).post(f"approvals/meetings/{meeting['id']}/agenda/build"), 403
    )


def test_agenda_by_hand_over_the_api(world, api_as):
    cab = boards.create_board(actor=world.admin, name="Infra CAB", members=[world.manager])
    start = _start()
    meeting = boards.create_meeting(
        actor=world.manager, board=cab, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    one, two = make_change(world.agent), make_change(world.agent)
    mona = api_as(world.manager)
    for change in (one, two):
        assert (
            mona.post(
                f"approvals/meetings/{meeting.pk}/agenda", {"change": change.number}
            ).status_code
            == 201
        )
    assert_problem(
        mona.post(f"approvals/meetings/{meeting.pk}/agenda", {"change": one.number}), 422
    )
    assert_problem(mona.post(f"approvals/meetings/{meeting.pk}/agenda", {"change": "CHG-0"}), 422)
    ids = [i["id"] for i in mona.get(f"approvals/meetings/{meeting.pk}/agenda").json()["items"]]
    reordered = mona.put(f"approvals/meetings/{meeting.pk}/agenda/order", {"order": ids[::-1]})
    assert [i["change"]["number"] for i in reordered.json()["items"]] == [two.number, one.number]
    assert mona.delete(f"approvals/meetings/{meeting.pk}/agenda/{ids[0]}").status_code == 204
    deferred = mona.post(
        f"approvals/meetings/{meeting.pk}/decisions", {"change": two.number, "decision": "defer"}
    )
    assert deferred.json()["decision"] == "deferred"
    nothing = mona.post(
        f"approvals/meetings/{meeting.pk}/decisions", {"change": two.number, "decision": "approve"}
    )
    assert_problem(nothing, 422)  # no step of this board waits on it


def test_the_pages(world, client):
    cab = boards.create_board(actor=world.admin, name="Infra CAB", members=[world.manager])
    make_policy(world, step(stage="authorize", kind="board", board=cab.pk))
    change = submit(world.agent, make_change(world.agent, title="Swap the core switch"))
    client.force_login(world.manager)
    start = timezone.localtime(_start())
    response = client.post(
        f"/approvals/boards/{cab.pk}/meetings/new",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Room 4",
            "attendees": "mona",
        },
    )
    meeting = BoardMeeting.objects.get(board=cab)
    assert response["Location"] == f"/approvals/boards/meetings/{meeting.pk}/"
    client.post(f"/approvals/boards/meetings/{meeting.pk}/agenda/build")
    page = client.get(f"/approvals/boards/meetings/{meeting.pk}/").content.decode()
    assert "Swap the core switch" in page and "Record" in page
    entry = AgendaItem.objects.get(meeting=meeting)
    refused = client.post(
        f"/approvals/boards/meetings/{meeting.pk}/agenda/{entry.pk}/decide",
        {"decision": "rejected", "notes": ""},
    )
    assert (
        refused.status_code == 422 and "Say why the board rejects it." in refused.content.decode()
    )
    client.post(
        f"/approvals/boards/meetings/{meeting.pk}/agenda/{entry.pk}/decide",
        {"decision": "approved", "notes": "Fine"},
    )
    assert fresh(change).state == "scheduled"
    client.post(
        f"/approvals/boards/meetings/{meeting.pk}/minutes",
        {
            "minutes": "<img src=x onerror=alert(1)> *ok*",
            "version": BoardMeeting.objects.get(pk=meeting.pk).version,
        },
    )
    page = client.get(f"/approvals/boards/meetings/{meeting.pk}/").content.decode()
    assert "<em>ok</em>" in page and "<img" not in page  # escaped, never markup
    client.post(f"/approvals/boards/meetings/{meeting.pk}/state", {"state": "held"})
    assert BoardMeeting.objects.get(pk=meeting.pk).state == "held"
    board_page = client.get(f"/approvals/boards/{cab.pk}/").content.decode()
    assert "Plan a meeting" in board_page and "Save board" not in board_page
    client.force_login(world.agent)  # neither chair nor change manager: reads, cannot run
    assert client.get(f"/approvals/boards/meetings/{meeting.pk}/").status_code == 200
    assert client.post(f"/approvals/boards/meetings/{meeting.pk}/agenda/build").status_code == 404
    client.force_login(world.requester)
    assert client.get(f"/approvals/boards/meetings/{meeting.pk}/").status_code == 404


def test_boards_are_made_and_edited_by_administrators_in_the_pages(world, client):
    client.force_login(world.admin)
    response = client.post(
        "/approvals/boards/new",
        {"name": "Web CAB", "chair": "mona", "members": "mona, bob", "active": "on"},
    )
    assert response.status_code == 302
    refused = client.post("/approvals/boards/new", {"name": "Web CAB", "members": "nobody"})
    assert refused.status_code == 200 and "Unknown user." in refused.content.decode()

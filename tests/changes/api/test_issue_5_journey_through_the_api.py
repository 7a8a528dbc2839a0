"""Issue 5's "done means", through the API with tokens, on the seeded change authorities of
DOMAIN.md §2.3: a new user raises a normal change on a server a business service depends on,
sees its risk and why, sees the conflict with another change on the same server and with a
freeze window, gets it approved by the assignment group's manager, the CAB and the service
owner, has a change manager schedule it over the conflicts with a reason, implements and
reviews it — and the calendar and its iCalendar feed show it."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
from django.test import Client

from serval.approvals.models import ApprovalPolicy, Board
from serval.approvals.seed import CAB, POLICY_NAMES, seed_now
from tests import factories as f
from tests.changes.conftest import window


def _authorities(world) -> None:
    """The install's seeded policies (switched off for other tests) and a CAB with a member."""
    seed_now()
    ApprovalPolicy.objects.filter(name__in=POLICY_NAMES, tenant__parent=None).update(active=True)
    Board.objects.get(tenant__parent=None, name=CAB).members.set([world.manager])


def _iso(moment) -> str:
    return moment.isoformat()


def _decide_all(api_for, number: str, people) -> list[str]:
    """Each person decides yes on whatever they may decide now, until nothing is left."""
    decided = []
    for _round in range(5):
        progressed = False
        for person in people:
            api = api_for[person.username]
            rounds = api.get(f"changes/{number}/approvals").json()["rounds"]
            for step in rounds[-1]["steps"] if rounds else []:
                for approval in step["approvals"]:
                    if approval["can_decide"]:
                        done = api.post(
                            f"changes/{number}/approvals/{approval['id']}/decide",
                            {"decision": "approve", "comment": "Fine by me."},
                        )
                        assert done.status_code == 200, done.content
                        decided.append(f"{step['label']}: {person.username}")
                        progressed = True
        if not progressed:
            return decided
    return decided


def test_a_normal_change_from_risk_and_conflicts_to_review_and_the_feed(world, estate, api_as):
    _authorities(world)
    api_for = {
        u.username: api_as(u) for u in (world.agent, world.agent2, world.manager, estate.owner)
    }
    agent, manager = api_for[world.agent.username], api_for[world.manager.username]
    start, end = window(days=12)

    # Another team already plans work on the same server: a standard change from a template.
    template = manager.post(
        "changes/templates",
        {
            "name": "Replace a failed disk",
            "title": "Replace a failed disk",
            "implementation_plan": "Hot-swap the disk; wait for the rebuild.",
            "backout_plan": "Put the old disk back.",
        },
    ).json()
    assert manager.post(f"changes/templates/{template['id']}/approve").status_code == 200
    other = api_for[world.agent2.username]
    disk = other.post(
        "changes",
        {"template": template["id"], "planned_start": _iso(start), "planned_end": _iso(end)},
    ).json()
    other.post(f"changes/{disk['number']}/cis", {"ci": estate.server.pk})
    scheduled = other.post(f"changes/{disk['number']}/transition", {"to": "scheduled"})
    assert scheduled.status_code == 200 and scheduled.json()["state"] == "scheduled", (
        scheduled.content
    )

    # Then the change manager freezes Payroll over that night.
    freeze = manager.post(
        "changes/windows",
        {
            "kind": "blackout",
            "name": "Payroll run freeze",
            "starts_at": _iso(start - timedelta(hours=6)),
            "ends_at": _iso(end + timedelta(hours=6)),
            "services": [estate.payroll.pk],
        },
    )
    assert freeze.status_code == 201, freeze.content

    # The new user raises a normal change on the server Payroll depends on.
    created = agent.post(
        "changes",
        {
            "type": "normal",
            "title": "Upgrade the RAID controller firmware on srv",
            "justification": "Vendor advisory: data corruption under load.",
            "implementation_plan": "Flash the controller; reboot.",
            "backout_plan": "Flash the previous firmware.",
            "planned_start": _iso(start + timedelta(minutes=30)),
            "planned_end": _iso(end),
            "assignment_group": world.team.pk,
        },
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert agent.post(f"changes/{number}/cis", {"ci": estate.server.pk}).status_code == 201

    # Its risk, and why.
    risk = agent.get(f"changes/{number}/risk").json()
    assert risk["level"] in ("moderate", "high")
    assert any(estate.payroll.name in r["text"] for r in risk["reasons"])

    # Its conflicts, each explained: the other change on the server, and the freeze.
    conflicts = agent.get(f"changes/{number}/conflicts").json()
    rules = {c["rule"] for c in conflicts["conflicts"]}
    assert conflicts["status"] == "conflicts"
    assert "ci_scheduled" in rules and ("ci_blackout" in rules or "related_blackout" in rules)
    assert all(c["explanation"] for c in conflicts["conflicts"])

    # Submitted: the group manager assesses, then the CAB and Payroll's owner authorize.
    moved = agent.post(f"changes/{number}/transition", {"to": "assess"})
    assert moved.status_code == 200, moved.content
    decided = _decide_all(api_for, number, [world.manager, estate.owner])
    assert any(d.startswith("CAB:") for d in decided), decided
    assert any(estate.owner.username in d for d in decided), decided

    # Approved, but the conflicts hold it in Authorize until a change manager overrides them.
    change = agent.get(f"changes/{number}").json()
    assert change["state"] == "authorize"
    assert change["uncovered_conflicts"] >= 2
    refused = manager.post(f"changes/{number}/transition", {"to": "scheduled"})
    assert refused.status_code == 422
    assert "conflict_override_reason" in {e["field"] for e in refused.json()["errors"]}
    scheduled = manager.post(
        f"changes/{number}/transition",
        {
            "to": "scheduled",
            "conflict_override_reason": "Both teams work together; Payroll runs after the fix.",
        },
    )
    assert scheduled.json()["state"] == "scheduled", scheduled.content

    # Implemented and reviewed (mandatory at high risk; harmless to write at moderate).
    for body in (
        {"to": "implement"},
        {"to": "review", "close_code": "successful", "close_notes": "Firmware 7.2 running."},
    ):
        moved = agent.post(f"changes/{number}/transition", body)
        assert moved.status_code == 200, moved.content
    review = agent.put(
        f"changes/{number}/review",
        {
            "objectives_met": True,
            "backout_executed": False,
            "lessons": "Announce firmware work to the Payroll owner earlier.",
        },
    )
    assert review.status_code == 200, review.content
    assert agent.post(f"changes/{number}/review/complete").status_code == 200
    closed = agent.post(f"changes/{number}/transition", {"to": "closed"})
    assert closed.json()["state"] == "closed", closed.content

    # The calendar shows it, and so does the iCalendar feed.
    span = {"start": _iso(start - timedelta(days=1)), "end": _iso(end + timedelta(days=1))}
    calendar = agent.client.get("/api/v1/changes/calendar", span, headers=agent.headers).json()
    assert number in {c["number"] for c in calendar["changes"]}
    assert any(w["name"] == "Payroll run freeze" for w in calendar["windows"])
    browser = Client()
    browser.login(username=world.agent.username, password=f.PASSWORD)
    page = browser.get("/changes/calendar/feeds/").content.decode()
    url = re.search(r'id="feed-changes" value="([^"]+)"', page).group(1)
    feed = Client().get(url.replace("http://testserver", "").replace("&amp;", "&"))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert any(number in str(e.get("summary")) for e in events)

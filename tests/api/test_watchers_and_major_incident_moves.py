"""Watchers and the major-incident proposal / decision over the API (DOMAIN.md §2.1 MI)."""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import assert_problem


def test_watch_and_unwatch(world, api_as):
    number = f.make_incident(world.requester).number
    requester = api_as(world.requester)
    assert [w["username"] for w in requester.post(f"incidents/{number}/watchers").json()] == [
        "rita"
    ]
    agent = api_as(world.agent)
    watchers = agent.post(f"incidents/{number}/watchers", {"user": "bob"}).json()
    assert [w["username"] for w in watchers] == ["bob", "rita"]
    assert_problem(requester.post(f"incidents/{number}/watchers", {"user": "sam"}), 422)
    left = requester.delete(f"incidents/{number}/watchers/rita").json()
    assert [w["username"] for w in left] == ["bob"]
    assert [w["username"] for w in agent.get(f"incidents/{number}/watchers").json()] == ["bob"]


def test_propose_then_accept_a_major_incident(world, api_as):
    number = f.make_incident(world.agent, impact=1, urgency=1).number
    assert_problem(
        api_as(world.requester).post(f"incidents/{number}/major", {"action": "propose"}), 404
    )
    proposed = api_as(world.agent).post(
        f"incidents/{number}/major", {"action": "propose", "business_impact": "Payroll stops"}
    )
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["major"]["state"] == "proposed"
    assert_problem(api_as(world.agent).post(f"incidents/{number}/major", {"action": "accept"}), 403)
    accepted = api_as(world.manager).post(f"incidents/{number}/major", {"action": "accept"})
    assert accepted.json()["major"]["state"] == "accepted"
    assert accepted.json()["major"]["manager"]["username"] == "mona"
    assert_problem(api_as(world.agent).post(f"incidents/{number}/major", {"action": "boom"}), 422)

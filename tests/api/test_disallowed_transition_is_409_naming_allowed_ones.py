"""A move the state machine does not allow is 409 problem+json listing the allowed targets.

DESIGN.md rule 3 (state machines are data, read by the API); DOMAIN.md §2.1 state table.
"""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import assert_problem


def test_new_cannot_jump_to_closed(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    body = assert_problem(api.post(f"incidents/{number}/transition", {"to": "closed"}), 409)
    assert sorted(body["allowed"]) == ["cancelled", "in_progress", "on_hold", "resolved"]
    assert body["type"].endswith("transition-not-allowed")


def test_an_unknown_state_is_409_too(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    body = assert_problem(api.post(f"incidents/{number}/transition", {"to": "teleported"}), 409)
    assert "in_progress" in body["allowed"]


def test_a_requester_sees_only_what_they_may_do(world, api_as):
    number = f.make_incident(world.requester).number
    body = assert_problem(
        api_as(world.requester).post(f"incidents/{number}/transition", {"to": "in_progress"}), 409
    )
    assert body["allowed"] == []


def test_missing_required_fields_are_422_field_errors(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    body = assert_problem(api.post(f"incidents/{number}/transition", {"to": "resolved"}), 422)
    assert {e["field"] for e in body["errors"]} == {"close_code", "close_notes"}
    held = api.post(
        f"incidents/{number}/transition", {"to": "on_hold", "hold_reason": "awaiting_caller"}
    )
    assert {e["field"] for e in assert_problem(held, 422)["errors"]} == {"comment"}

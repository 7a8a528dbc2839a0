"""`GET/PUT /api/v1/changes/{number}/review` and `POST .../review/complete` (DOMAIN.md §2.3 PIR):
shapes, If-Match (412), 422 for bad input or the wrong state, 403 for requesters, 404 for other
tenants — and a change that needs a review closes once the API completed it."""

from __future__ import annotations

from serval.changes import actions
from tests.changes.risk_helpers import api_for, assert_problem, fresh, implemented, make_change


def test_draft_complete_and_close_through_the_api(world):
    change = implemented(
        world.agent, make_change(world.agent, assignment_group=world.team.pk), "unsuccessful"
    )
    api = api_for(world.agent)
    got = api.get(f"changes/{change.number}/review")
    body = got.json()
    assert (body["required"], body["status"], body["editable"]) == (True, "not_started", True)
    assert body["required_reasons"] == ["the change was unsuccessful"]
    saved = api.put(
        f"changes/{change.number}/review",
        {"objectives_met": False, "lessons": "Load test first."},
        **{"If-Match": got["ETag"]},
    )
    assert saved.status_code == 200, saved.content
    assert (saved.json()["status"], saved.json()["objectives_met"]) == ("draft", False)
    assert_problem(
        api.put(f"changes/{change.number}/review", {"lessons": "x"}, **{"If-Match": got["ETag"]}),
        412,
    )
    incomplete = assert_problem(api.post(f"changes/{change.number}/review/complete", {}), 422)
    assert [e["field"] for e in incomplete["errors"]] == ["backout_executed"]
    done = api.post(
        f"changes/{change.number}/review/complete",
        {"backout_executed": True},
        **{"If-Match": saved["ETag"]},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (
        body["status"] == "completed" and body["completed_by"]["username"] == world.agent.username
    )
    assert body["editable"] is False and body["completed_at"]
    actions.transition_change(actor=world.agent, item=fresh(change), to="closed")
    assert fresh(change).state == "closed"
    assert_problem(api.post(f"changes/{change.number}/review/reopen"), 422)


def test_omitted_fields_are_left_alone_and_null_clears(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    api = api_for(world.agent)
    api.put(f"changes/{change.number}/review", {"objectives_met": True, "lessons": "A"})
    body = api.put(f"changes/{change.number}/review", {"follow_ups": "B"}).json()
    assert (body["objectives_met"], body["lessons"], body["follow_ups"]) == (True, "A", "B")
    assert (
        api.put(f"changes/{change.number}/review", {"objectives_met": None}).json()[
            "objectives_met"
        ]
        is None
    )


def test_bad_input_wrong_state_and_who_may(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    api = api_for(world.agent)
    for bad in (
        {"objectives_met": "maybe"},
        {"lessons": "x" * 20001},
        {"lessons": "a\x00"},
        {"colour": 1},
        [1],
    ):
        assert_problem(api.put(f"changes/{change.number}/review", bad), 422)
    planned = make_change(world.agent)
    problem = assert_problem(api.put(f"changes/{planned.number}/review", {"lessons": "Early"}), 422)
    assert problem["errors"][0]["field"] == "review"
    assert api.get(f"changes/{planned.number}/review").json()["read_only_reason"]
    assert_problem(api_for(world.outsider_agent).get(f"changes/{change.number}/review"), 404)
    assert_problem(
        api_for(world.outsider_agent).post(f"changes/{change.number}/review/complete", {}), 404
    )
    assert_problem(api_for(world.requester).get(f"changes/{change.number}/review"), 404)
    actions.update_change(actor=world.agent, item=fresh(change), caller=world.requester.pk)
    assert_problem(api_for(world.requester).get(f"changes/{change.number}/review"), 403)
    assert_problem(
        api_for(world.requester).put(f"changes/{change.number}/review", {"lessons": "x"}), 403
    )

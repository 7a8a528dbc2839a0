"""`GET /api/v1/changes/{number}/conflicts` and `POST …/conflicts/check` (issue 5 "API"): each
stored conflict with its rule, CI, window or other change, span and a sentence; the override
(who, when, why, which conflicts); "check again" recomputes. Agents only; out of reach is 404."""

from __future__ import annotations

from serval.changes.models import ChangeConflict
from tests.api.conftest import assert_problem
from tests.changes.conftest import make_change
from tests.changes.schedule.conftest import make_window


def test_each_conflict_comes_with_its_explanation(world, estate, api_as):
    freeze = make_window(world.manager, name="Year-end freeze", cis=[estate.server.pk])
    change = make_change(world.agent, cis=(estate.db,))
    body = api_as(world.agent).get(f"changes/{change.number}/conflicts").json()
    assert body["status"] == "conflicts" and body["override"] is None
    [conflict] = body["conflicts"]
    assert conflict["rule"] == "related_blackout"
    assert conflict["window"] == {"id": freeze.pk, "name": "Year-end freeze", "kind": "blackout"}
    assert (conflict["ci"]["id"], conflict["related_ci"]["id"]) == (estate.db.pk, estate.server.pk)
    assert estate.server.name in conflict["explanation"]
    assert "Year-end freeze" in conflict["explanation"]
    assert conflict["covered"] is False


def test_check_again_picks_up_a_window_added_since(world, estate, api_as):
    change = make_change(world.agent, cis=(estate.server,))
    make_window(world.manager, cis=[estate.server.pk])  # its refresh task is not run
    ChangeConflict.objects.filter(change=change).delete()  # as if not yet refreshed
    api = api_as(world.agent)
    assert api.get(f"changes/{change.number}/conflicts").json()["conflicts"] == []
    checked = api.post(f"changes/{change.number}/conflicts/check")
    assert checked.status_code == 200, checked.content
    assert [c["rule"] for c in checked.json()["conflicts"]] == ["ci_blackout"]


def test_outsiders_get_404_and_requesters_403(world, estate, api_as):
    change = make_change(world.agent, cis=(estate.server,))
    assert_problem(api_as(world.outsider_agent).get(f"changes/{change.number}/conflicts"), 404)
    assert_problem(
        api_as(world.outsider_agent).post(f"changes/{change.number}/conflicts/check"), 404
    )
    assert_problem(api_as(world.requester).get(f"changes/{change.number}/conflicts"), 403)
    assert_problem(api_as(world.agent).get("changes/CHG-999999/conflicts"), 404)

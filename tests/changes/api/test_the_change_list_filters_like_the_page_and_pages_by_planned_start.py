"""The list API's filters mirror the change list (DESIGN.md §4); ordering by planned start pages
through every change exactly once, the unplanned ones last."""

from __future__ import annotations

from datetime import timedelta

from serval.changes import actions
from tests.changes.conftest import make_change, window


def test_filters_by_type_risk_window_ci_and_state(world, api_as, estate):
    api = api_as(world.agent)
    start, _end = window(days=10)
    early = make_change(
        world.agent,
        title="Early",
        planned_start=start - timedelta(days=5),
        planned_end=start - timedelta(days=5, hours=-1),
        cis=(estate.server,),
    )
    late = make_change(world.agent, title="Late", change_type="emergency")
    actions.transition_change(actor=world.agent, item=late, to="cancelled", cancel_reason="No.")

    def numbers(query: str) -> list[str]:
        response = api.get(f"changes?{query}")
        assert response.status_code == 200, response.content
        return [c["number"] for c in response.json()["items"]]

    assert numbers("type=emergency&state=cancelled") == [late.number]
    assert numbers("state=open") == [early.number]
    assert numbers(f"ci={estate.server.pk}") == [early.number]
    frm = (start - timedelta(days=6)).isoformat().replace("+", "%2B")
    to = (start - timedelta(days=4)).isoformat().replace("+", "%2B")
    assert numbers(f"planned_from={frm}&planned_to={to}") == [early.number]
    assert numbers("risk=very_high") == []
    assert api.get("changes?state=bogus").status_code == 422
    assert api.get("changes?type=standard,bogus").status_code == 422


def test_ordering_by_planned_start_pages_through_all_with_unplanned_last(world, api_as):
    api = api_as(world.agent)
    made = []
    for days in (12, 3, 7):
        start, end = window(days=days)
        made.append(
            make_change(world.agent, title=f"In {days} days", planned_start=start, planned_end=end)
        )
    for n in range(2):
        made.append(
            make_change(world.agent, title=f"Unplanned {n}", planned_start=None, planned_end=None)
        )
    seen: list[str] = []
    url = "changes?ordering=planned_start&limit=2"
    while url:
        body = api.get(url).json()
        seen += [c["title"] for c in body["items"]]
        url = body["next"] and body["next"].split("testserver", 1)[1]
    assert seen[:3] == ["In 3 days", "In 7 days", "In 12 days"]
    assert sorted(seen[3:]) == ["Unplanned 0", "Unplanned 1"]
    backwards: list[str] = []
    url = "changes?ordering=-planned_start&limit=2"
    while url:
        body = api.get(url).json()
        backwards += [c["title"] for c in body["items"]]
        url = body["next"] and body["next"].split("testserver", 1)[1]
    assert backwards[:3] == ["In 12 days", "In 7 days", "In 3 days"] and len(backwards) == 5

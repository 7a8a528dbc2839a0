"""`GET /api/v1/incidents`: the UI's filters as query parameters, keyset pages with `next`.

DESIGN.md §4 (filtering mirrors the UI, cursor pagination with a next link); STYLE rule 10.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

from tests import factories as f
from tests.api.conftest import assert_problem


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [i["number"] for i in response.json()["items"]]


def test_filters_narrow_the_list(world):
    from tests.api.conftest import Api

    api = Api(f.token_for(world.agent))
    mine = f.make_incident(
        world.agent, title="VPN drops", assignment_group=world.team.pk, assignee="alice"
    )
    network = f.make_incident(
        world.agent, title="Switch fan noise", assignment_group=world.team2.pk, impact=1, urgency=1
    )
    theirs = f.make_incident(world.requester, title="Laptop battery", service="Laptops")
    assert _numbers(api.get("incidents?assignee=me")) == [mine.number]
    assert _numbers(api.get(f"incidents?assignee={world.agent.pk}")) == [mine.number]
    assert _numbers(api.get(f"incidents?assignment_group={world.team2.pk}")) == [network.number]
    assert _numbers(api.get("incidents?priority=1")) == [network.number]
    assert _numbers(api.get("incidents?caller=rita")) == [theirs.number]
    assert _numbers(api.get("incidents?service=Laptops")) == [theirs.number]
    assert _numbers(api.get("incidents?q=battery")) == [theirs.number]
    assert _numbers(api.get(f"incidents?q={mine.number}")) == [mine.number]
    assert set(_numbers(api.get("incidents?state=new,in_progress"))) == {
        mine.number,
        network.number,
        theirs.number,
    }
    assert _numbers(api.get("incidents?state=resolved")) == []
    by_priority = _numbers(api.get("incidents?ordering=priority"))
    assert by_priority[0] == network.number


def test_pages_walk_every_item_once_through_next_links(world, api_as):
    api = api_as(world.agent)
    made = {f.make_incident(world.agent).number for _ in range(7)}
    seen: list[str] = []
    url = "incidents?limit=3"
    pages = 0
    while url:
        response = api.get(url)
        seen += _numbers(response)
        nxt = response.json()["next"]
        if nxt:
            parsed = urlparse(nxt)
            assert parse_qs(parsed.query)["limit"] == ["3"]
            url = f"{parsed.path}?{parsed.query}"
        else:
            url = ""
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made


def test_ascending_order_pages_too(world, api_as):
    api = api_as(world.agent)
    made = [f.make_incident(world.agent).number for _ in range(5)]
    first = api.get("incidents?limit=2&ordering=number")
    assert _numbers(first) == made[:2]
    nxt = urlparse(first.json()["next"])
    assert _numbers(api.get(f"{nxt.path}?{nxt.query}")) == made[2:4]


def test_bad_parameters_are_422_not_500(world, api_as):
    api = api_as(world.agent)
    for query in (
        "limit=0",
        "limit=201",
        "ordering=title;drop",
        "state=bogus",
        "priority=9",
        "cursor=not-a-cursor",
        "assignment_group=abc",
    ):
        assert_problem(api.get(f"incidents?{query}"), 422)
    # A cursor minted for one ordering is refused for another.
    for _ in range(3):
        f.make_incident(world.agent)
    cursor = parse_qs(urlparse(api.get("incidents?limit=1").json()["next"]).query)["cursor"][0]
    body = assert_problem(api.get(f"incidents?ordering=priority&cursor={cursor}"), 422)
    assert body["errors"][0]["field"] == "cursor"


def _walk(api, url: str) -> list[dict]:
    items: list[dict] = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        items += response.json()["items"]
        nxt = response.json()["next"]
        url = f"{urlparse(nxt).path}?{urlparse(nxt).query}" if nxt else ""
    return items


def test_agents_sort_by_next_breach_soonest_first_with_no_deadline_last(world, api_as):
    """Issue 6's agent queue: open items of a team by next breach; DOMAIN.md §2.5 (the SLA
    summary the engine keeps). Paged one row at a time, so the cursor crosses the NULLs."""
    from serval.incidents.actions import transition_incident
    from serval.work.models import WorkItem

    team = {"assignment_group": world.team.pk}
    p4 = f.make_incident(world.agent, impact=3, urgency=2, **team)
    p1 = f.make_incident(world.agent, impact=1, urgency=1, **team)
    held = f.make_incident(world.agent, impact=1, urgency=1, **team)
    transition_incident(
        actor=world.agent, item=held, to="on_hold", hold_reason="awaiting_caller", comment="?"
    )
    p2 = f.make_incident(world.agent, impact=1, urgency=2, **team)
    f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team2.pk)
    stored = dict(
        WorkItem.objects.filter(assignment_group=world.team).values_list(
            "number", "sla_next_breach_at"
        )
    )
    assert stored[held.number] is None and None not in {stored[p1.number], stored[p4.number]}
    expected = sorted((n for n in stored if stored[n]), key=lambda n: stored[n])
    assert expected[0] == p1.number and set(expected) == {p1.number, p2.number, p4.number}
    api = api_as(world.agent)
    base = f"incidents?assignment_group={world.team.pk}&state=new,in_progress,on_hold&limit=1"
    soonest = _walk(api, f"{base}&ordering=sla_next_breach_at")
    assert [i["number"] for i in soonest] == [*expected, held.number]
    for row in soonest:
        got = row["sla_next_breach_at"]
        want = stored[row["number"]]
        if want is None:
            assert got is None
        else:  # the API writes milliseconds, as Django's JSON encoder does
            assert abs(datetime.fromisoformat(got) - want) < timedelta(milliseconds=1)
    latest = _walk(api, f"{base}&ordering=-sla_next_breach_at")
    assert [i["number"] for i in latest] == [*reversed(expected), held.number]
    # The detail says the same as the list.
    detail = api.get(f"incidents/{p1.number}").json()
    assert detail["sla_next_breach_at"] == soonest[0]["sla_next_breach_at"]


def test_requesters_neither_see_nor_sort_by_the_internal_deadline(world, api_as):
    """The stored next breach spans OLAs, which requesters never see (DOMAIN.md §2.5)."""
    item = f.make_incident(world.requester, title="Printer jam")
    api = api_as(world.requester)
    rows = _walk(api, "incidents")
    assert [r["number"] for r in rows] == [item.number]
    assert rows[0]["sla_next_breach_at"] is None
    assert api.get(f"incidents/{item.number}").json()["sla_next_breach_at"] is None
    body = assert_problem(api.get("incidents?ordering=sla_next_breach_at"), 422)
    assert body["errors"][0]["field"] == "ordering"

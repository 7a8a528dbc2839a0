"""`GET /api/v1/incidents`: the UI's filters as query parameters, keyset pages with `next`.

DESIGN.md §4 (filtering mirrors the UI, cursor pagination with a next link); STYLE rule 10.
"""

from __future__ import annotations

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

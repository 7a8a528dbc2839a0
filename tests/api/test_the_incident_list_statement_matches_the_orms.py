"""The incident list reads its rows with a prebuilt SELECT and the ORM's own WHERE clause
(serval.incidents.api_rows.fetch, issue 6). Whatever the caller, filters, ordering and page,
the API must answer exactly what the ORM's `list(qs[:n])` gave: same items, same order, same
next link — visibility included (DESIGN.md rule 2)."""

from __future__ import annotations

import random
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.utils import timezone

from serval.api.paging import SALT
from serval.cmdb import worklinks
from serval.incidents import api_rows
from serval.incidents.api import ORDERINGS
from serval.work.models import WorkItem
from tests import factories as f
from tests.api.conftest import Api
from tests.cmdb import incident_estate


def _first_difference(ours: list[dict], theirs: list[dict]) -> object:
    for page_ours, page_theirs in zip(ours, theirs, strict=False):
        for a, b in zip(page_ours["items"], page_theirs["items"], strict=False):
            for key in a:
                if a[key] != b.get(key):
                    return a["number"], b["number"], key, a[key], b.get(key)
        if page_ours["next"] != page_theirs["next"]:
            return page_ours["next"], page_theirs["next"]
    return len(ours), len(theirs)


def _orm_fetch(qs, count):
    return list(qs[:count])


def _pages(api: Api, url: str) -> list[dict]:
    """The first two pages of a list URL (following `next`), each next link as the cursor it
    holds (a signed cursor carries the second it was signed in)."""
    out = []
    for _ in range(2):
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        link = body["next"]
        if link:
            query = parse_qs(urlparse(link).query)
            body["next"] = signing.loads(query.pop("cursor")[0], salt=SALT), query
        out.append(body)
        if not link:
            break
        parsed = urlparse(link)
        url = f"{parsed.path.removeprefix('/api/v1/')}?{parsed.query}"
    return out


class _Items(list):
    estate: object


@pytest.fixture
def items(world):
    rng = random.Random(11)
    made = _Items()
    for n in range(14):
        author = (
            world.requester
            if n % 4 == 0
            else world.requester_same_org
            if n % 5 == 0
            else world.agent
        )
        group = (world.team.pk, world.team2.pk, None)[n % 3]
        fields = {"assignment_group": group} if group and author.is_agent else {}
        made.append(
            f.make_incident(
                author,
                title=f"{rng.choice(['printer', 'vpn', 'laptop'])} issue {n}",
                impact=rng.randint(1, 3),
                urgency=rng.randint(1, 3),
                **fields,
            )
        )
    f.make_incident(world.outsider_agent, title="printer elsewhere")
    # Ties and empty values for the orderings: equal opened_at, and some items with no SLA.
    now = timezone.now()
    WorkItem.objects.filter(pk__in=[i.pk for i in made[:6]]).update(
        opened_at=now - timedelta(hours=1)
    )
    WorkItem.objects.filter(pk__in=[i.pk for i in made[6:9]]).update(sla_next_breach_at=None)
    WorkItem.objects.filter(pk=made[9].pk).update(state="resolved")
    # Impacted services, through a CI that runs a service (the `impacted_service=` filter).
    estate = incident_estate.build(world)
    for item in made[2:12:3]:
        worklinks.link_ci(actor=world.agent, item=item, ci=estate.app)
    made.estate = estate
    return made


def test_every_combination_answers_as_the_orm_did(world, items, monkeypatch):
    rng = random.Random(5)
    callers = [
        world.agent,
        world.admin,
        world.requester,
        world.requester_same_org,
        world.outsider_agent,
    ]
    filters = [
        "",
        "state=new,in_progress",
        "state=resolved",
        f"assignment_group={world.team.pk}",
        "priority=3",
        "assignee=me",
        f"caller={world.requester.pk}",
        "caller=rita",  # through the caller's username: a join, read by the ORM itself
        "q=printer",
        f"q={items[3].number}",
        "service=nothing",
        f"impacted_service={items.estate.erp.pk}",  # an EXISTS subquery on the item
    ]
    checked = 0
    for user in callers:
        api = Api(f.token_for(user))
        for _ in range(12):
            chosen = rng.sample(filters, rng.randint(0, 2))
            ordering = rng.choice(ORDERINGS)
            if ordering.lstrip("-") == "sla_next_breach_at" and not user.is_agent:
                continue  # refused for requesters (422), tested elsewhere
            url = "incidents?" + "&".join([*chosen, f"ordering={ordering}", "limit=3"])
            ours = _pages(api, url)
            with monkeypatch.context() as patch:
                patch.setattr(api_rows, "fetch", _orm_fetch)
                theirs = _pages(api, url)
            assert ours == theirs, (user.username, url, _first_difference(ours, theirs))
            checked += 1
    assert checked > 40


def test_a_caller_who_sees_nothing_gets_an_empty_list(world, items, monkeypatch):
    api = Api(f.token_for(world.outsider_requester))
    assert _pages(api, "incidents?limit=5") == [{"items": [], "next": None}]

"""Query-count guards (STYLE rule 14): the change list page, the list API and the change page
cost the same number of queries for many rows as for few — no query per row."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from serval.changes import actions, tasks
from tests import factories as f
from tests.changes.conftest import make_change


def _count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _changes(world, estate, n: int) -> None:
    for i in range(n):
        change = make_change(
            world.agent,
            cis=(estate.server,),
            title=f"Patch round {i}",
            assignment_group=world.team.pk,
            assignee=world.agent.pk,
        )
        if i % 3 == 1:  # some in Assess/Authorize (approvals), some scheduled with conflicts
            actions.transition_change(actor=world.agent, item=change, to="assess")


def test_the_list_page_and_the_list_api_cost_the_same_for_3_and_20_changes(world, client, estate):
    from tests.api.conftest import Api

    client.force_login(world.agent)
    api = Api(f.token_for(world.agent))
    _changes(world, estate, 3)
    api.get("changes?limit=1")  # the token's last-used stamp is written on its first use
    page_few = _count(lambda: client.get("/changes/?state=all"))
    api_few = _count(lambda: api.get("changes?limit=50"))
    _changes(world, estate, 17)
    page_many = _count(lambda: client.get("/changes/?state=all"))
    api_many = _count(lambda: api.get("changes?limit=50"))
    assert page_many == page_few
    assert api_many == api_few
    assert len(api.get("changes?limit=50").json()["items"]) == 20
    # token, the grants, the page, its impacted services and its conflicts.
    assert api_many <= 6


def test_the_change_page_costs_the_same_with_many_tasks_links_and_events(world, client, estate):
    change = make_change(
        world.agent, cis=(estate.server, estate.db), assignment_group=world.team.pk
    )
    client.force_login(world.agent)
    from serval.work import links

    # One link to start with: a page whose item has no links at all skips the links query
    # (a probe says so), and what is compared here is one link against many.
    links.link_items(
        actor=world.agent, item=change, other=f.make_incident(world.agent), link_type="caused_by"
    )
    few = _count(lambda: client.get(f"/changes/{change.number}/"))
    for n in range(8):
        tasks.create_task(
            actor=world.agent, change=change, title=f"Step {n}", assignment_group=world.team.pk
        )
        actions.comment_on_change(actor=world.agent, item=change, body=f"Note {n}")
    for _ in range(4):
        links.link_items(
            actor=world.agent,
            item=change,
            other=f.make_incident(world.agent),
            link_type="caused_by",
        )
    many = _count(lambda: client.get(f"/changes/{change.number}/"))
    assert many == few

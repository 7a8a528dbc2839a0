"""The incident list costs the same few queries for 1 item as for 20 (STYLE rule 14).

They are small queries on purpose: one wide join of the eleven related tables cost PostgreSQL
20-60 ms of planning per request at scale (serval.incidents.api_rows).
"""

from __future__ import annotations

from tests import factories as f


def test_listing_twenty_incidents_takes_a_constant_number_of_queries(
    world, api_as, django_assert_num_queries
):
    api = api_as(world.agent)
    for n in range(20):
        f.make_incident(
            world.agent,
            title=f"Outage {n}",
            assignment_group=world.team.pk,
            assignee="alice",
            caller=world.requester.username,
        )
    api.get("incidents?limit=1")  # stamps the token's last use (at most every five minutes)
    # token lookup, the tenant grants (reach), the page (own columns and incident details), the
    # names it refers to (people, teams, organizations, tenants, parents: one UNION ALL) and the
    # impacted services.
    with django_assert_num_queries(5):
        response = api.get("incidents?limit=50")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 20
    f.make_incident(world.agent, title="Child", parent=response.json()["items"][0]["number"])
    with django_assert_num_queries(5):
        assert len(api.get("incidents?limit=50").json()["items"]) == 21

"""The incident list costs the same few queries for 1 item as for 20 (STYLE rule 14)."""

from __future__ import annotations

from tests import factories as f


def test_listing_twenty_incidents_takes_a_constant_number_of_queries(
    world, api_as, django_assert_max_num_queries
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
    # token lookup, its last-used stamp, the tenant grants (reach) and the page itself.
    with django_assert_max_num_queries(5):
        response = api.get("incidents?limit=50")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 20

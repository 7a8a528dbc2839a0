"""The CI and service lists cost the same few queries for 1 row as for 20 (STYLE rule 14)."""

from __future__ import annotations

from serval.services import actions as services
from tests.cmdb.conftest import make_ci


def test_listing_twenty_cis_takes_a_constant_number_of_queries(
    world, api_as, django_assert_max_num_queries
):
    api = api_as(world.agent)
    for n in range(20):
        make_ci(world.agent, f"n{n}", support_team=world.team, owner=world.agent)
    # token lookup, its last-used stamp, the tenant grants (reach) and the page itself.
    with django_assert_max_num_queries(5):
        response = api.get("cmdb/cis?limit=50")
    assert len(response.json()["items"]) == 20


def test_listing_twenty_services_takes_a_constant_number_of_queries(
    world, api_as, django_assert_max_num_queries
):
    api = api_as(world.manager)
    for n in range(20):
        services.create_service(actor=world.manager, name=f"s{n}", customers=[world.org])
    with django_assert_max_num_queries(6):  # + the customers prefetch
        response = api.get("services?limit=50")
    assert len(response.json()["items"]) == 20

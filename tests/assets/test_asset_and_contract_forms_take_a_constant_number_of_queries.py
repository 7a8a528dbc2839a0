"""The forms cost the same few queries with 1 CI, person and asset to offer as with 20."""

from __future__ import annotations

from serval.assets import actions
from tests.assets.conftest import make_ci


def test_the_forms_offer_their_choices_in_a_few_queries(
    world, client, django_assert_max_num_queries
):
    assets = []
    for n in range(20):
        make_ci(world.agent, f"free{n}")
        assets.append(
            actions.create_asset(
                actor=world.agent,
                name=f"a{n}",
                location=f"room {n}",
                ci=make_ci(world.agent, f"c{n}"),
                assigned_to=world.agent,
            )
        )
    contract = actions.create_contract(
        actor=world.agent, name="C", vendor="V", covered_assets=assets
    )
    client.force_login(world.agent)
    client.get("/assets/")  # warm the session
    for url in (
        "/assets/new",
        f"/assets/{assets[0].pk}/edit",
        "/assets/contracts/new",
        f"/assets/contracts/{contract.pk}/edit",
    ):
        # session, user, grants (reach), the record, its coverage, then one query per choice
        # list (CIs, people, locations; or assets): the same for 1 row as for 20.
        with django_assert_max_num_queries(7):
            response = client.get(url)
        assert response.status_code == 200, url

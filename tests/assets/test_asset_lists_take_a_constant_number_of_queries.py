"""Lists cost the same few queries for 1 row as for 20 (STYLE rule 14)."""

from __future__ import annotations

from serval.assets import actions, software
from tests.assets.conftest import install, make_ci, make_product, make_version


def test_listing_assets(world, api_as, django_assert_max_num_queries):
    api = api_as(world.agent)
    contract = actions.create_contract(actor=world.agent, name="C", vendor="V")
    for n in range(20):
        asset = actions.create_asset(
            actor=world.agent,
            name=f"a{n}",
            ci=make_ci(world.agent, f"c{n}"),
            assigned_to=world.agent,
        )
        contract.covered_assets.add(asset)
    # token, its last-used stamp, grants (reach), the page, the contracts prefetch.
    with django_assert_max_num_queries(6):
        response = api.get("assets?limit=50")
    assert len(response.json()["items"]) == 20


def test_listing_licences_with_their_compliance(world, api_as, django_assert_max_num_queries):
    api = api_as(world.agent)
    for n in range(10):
        product = make_product(world.admin, f"p{n}")
        install(world.agent, make_ci(world.agent, f"c{n}"), make_version(world.admin, product, "1"))
        for metric in ("device", "core", "user"):
            software.create_licence(
                actor=world.agent,
                name=f"{metric}{n}",
                product=product,
                metric=metric,
                assigned_users=[world.agent],
            )
    # + users prefetch, entitlements, devices, cores, users.
    with django_assert_max_num_queries(10):
        response = api.get("assets/licences?limit=50")
    assert len(response.json()["items"]) == 30


def test_listing_products_installations_and_contracts(world, api_as, django_assert_max_num_queries):
    api = api_as(world.agent)
    for n in range(10):
        product = make_product(world.admin, f"p{n}")
        for v in ("1", "2"):
            install(world.agent, make_ci(world.agent), make_version(world.admin, product, v))
        actions.create_contract(actor=world.agent, name=f"c{n}", vendor="V")
    for path, expected in (
        ("assets/products", 10),
        ("assets/versions", 20),
        ("assets/installations", 20),
        ("assets/contracts", 10),
    ):
        with django_assert_max_num_queries(6):
            response = api.get(f"{path}?limit=50")
        assert len(response.json()["items"]) == expected, path


def test_the_pages_too(world, client, django_assert_max_num_queries):
    client.force_login(world.agent)
    product = make_product(world.admin, "p")
    for n in range(10):
        asset = actions.create_asset(actor=world.agent, name=f"a{n}", ci=make_ci(world.agent))
        install(world.agent, asset.ci, make_version(world.admin, product, str(n)))
        software.create_licence(actor=world.agent, name=f"l{n}", product=product)
    baseline = {}
    for url in ("/assets/", "/assets/software/", "/assets/licences/", "/assets/eol/?within=365"):
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(url).status_code == 200
        baseline[url] = len(ctx.captured_queries)
    for n in range(10, 20):
        asset = actions.create_asset(actor=world.agent, name=f"a{n}", ci=make_ci(world.agent))
        install(world.agent, asset.ci, make_version(world.admin, product, str(n)))
        software.create_licence(actor=world.agent, name=f"l{n}", product=product)
    for url, count in baseline.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200

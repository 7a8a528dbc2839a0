"""Asset pages render for agents, link to each other, and are 404 to requesters and outsiders."""

from __future__ import annotations

from serval.assets import actions, software
from tests.assets.conftest import days, install, make_ci, make_product, make_version

PAGES = ("/assets/", "/assets/software/", "/assets/licences/", "/assets/eol/")


def test_agents_see_the_pages_with_their_records(world, client):
    product = make_product(world.admin, "Oracle DB")
    version = make_version(world.admin, product, "19c", end_of_support=days(60))
    ci = make_ci(world.agent, "ora01")
    asset = actions.create_asset(actor=world.agent, name="Rack server", ci=ci, asset_tag="R-1")
    install(world.agent, ci, version)
    software.create_licence(actor=world.agent, name="Oracle EE", product=product, quantity=0)
    client.force_login(world.agent)
    for url, text in (
        ("/assets/?q=R-1", "Rack server"),
        (f"/assets/{asset.pk}/", "19c"),
        ("/assets/software/", "Oracle DB"),
        ("/assets/licences/", "Oracle EE"),
        ("/assets/eol/?within=90", "ora01"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert text in body, url
        assert 'href="/assets/eol/"' in body and "style=" not in body, url


def test_requesters_and_outsiders_get_404(world, client):
    asset = actions.create_asset(actor=world.agent, name="x")
    client.force_login(world.requester)
    for url in (*PAGES, f"/assets/{asset.pk}/"):
        assert client.get(url).status_code == 404, url
    client.force_login(world.outsider_agent)
    assert client.get(f"/assets/{asset.pk}/").status_code == 404

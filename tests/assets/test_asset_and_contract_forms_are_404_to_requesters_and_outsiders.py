"""Every asset and contract form is agents' work in the record's tenant: requesters and agents of
other tenants get a 404 on each, for GET and POST alike, and nothing is written."""

from __future__ import annotations

from serval.assets import actions
from serval.assets.models import Asset, Contract
from tests.assets.form_posts import asset_form, contract_form


def test_requesters_and_outsiders_get_404_on_every_form(world, client):
    asset = actions.create_asset(actor=world.agent, name="Laptop")
    contract = actions.create_contract(actor=world.agent, name="C", vendor="V")
    record_urls = (
        f"/assets/{asset.pk}/edit",
        f"/assets/{asset.pk}/delete",
        f"/assets/contracts/{contract.pk}/edit",
        f"/assets/contracts/{contract.pk}/delete",
    )
    for user in (world.requester, world.outsider_requester, world.outsider_agent):
        client.force_login(user)
        for url in record_urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, asset_form(name="hijack")).status_code == 404, (user, url)
    for user in (world.requester, world.outsider_requester):
        client.force_login(user)
        for url in ("/assets/new", "/assets/contracts/new", "/assets/statuses"):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post("/assets/new", asset_form(name="x")).status_code == 404
        assert (
            client.post("/assets/contracts/new", contract_form(name="x", vendor="V")).status_code
            == 404
        )
    asset.refresh_from_db()
    assert asset.name == "Laptop" and Asset.objects.count() == 1 and Contract.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get("/assets/new")
    assert response.status_code == 302 and "login" in response["Location"]

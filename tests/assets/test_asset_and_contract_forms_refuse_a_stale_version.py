"""A form saved over a version someone else changed meanwhile is refused with a clear message,
never a silent overwrite (DESIGN.md rule 6)."""

from __future__ import annotations

from serval.assets import actions
from tests.assets.form_posts import asset_form, contract_form, errors_of


def test_a_stale_asset_form_is_refused(world, client):
    asset = actions.create_asset(actor=world.agent, name="Laptop")
    actions.update_asset(actor=world.agent2, asset=asset, location="Lyon")  # now version 2
    client.force_login(world.agent)
    response = client.post(
        f"/assets/{asset.pk}/edit", asset_form(name="Mine", location="Paris", version="1")
    )
    assert response.status_code == 200
    assert "Someone else saved this asset" in errors_of(response)["__all__"][0]
    asset.refresh_from_db()
    assert (asset.name, asset.location, asset.version) == ("Laptop", "Lyon", 2)


def test_a_stale_contract_form_is_refused(world, client):
    contract = actions.create_contract(actor=world.agent, name="Support", vendor="V")
    actions.update_contract(actor=world.agent2, contract=contract, vendor="W")
    client.force_login(world.agent)
    response = client.post(
        f"/assets/contracts/{contract.pk}/edit",
        contract_form(name="Support", vendor="Mine", version="1"),
    )
    assert "Someone else saved this contract" in errors_of(response)["__all__"][0]
    contract.refresh_from_db()
    assert (contract.vendor, contract.version) == ("W", 2)

"""Deleting an asset or a contract asks first; only the POST of the confirmation deletes."""

from __future__ import annotations

from serval.assets import actions
from serval.assets.models import Asset, Contract
from serval.core.models import JournalEvent


def test_an_asset_is_deleted_after_its_confirmation(world, client):
    asset = actions.create_asset(actor=world.agent, name="Old laptop")
    contract = actions.create_contract(
        actor=world.agent, name="C", vendor="V", covered_assets=[asset]
    )
    client.force_login(world.agent)
    assert (
        f'href="/assets/{asset.pk}/delete"' in client.get(f"/assets/{asset.pk}/").content.decode()
    )
    page = client.get(f"/assets/{asset.pk}/delete")
    assert page.status_code == 200 and "covered by 1 contract" in page.content.decode()
    assert Asset.objects.filter(pk=asset.pk).exists()
    response = client.post(f"/assets/{asset.pk}/delete")
    assert response.status_code == 302 and response["Location"] == "/assets/"
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert list(contract.covered_assets.all()) == []
    assert JournalEvent.objects.filter(subject_type="asset", subject_id=asset.pk, verb="deleted")


def test_a_contract_is_deleted_after_its_confirmation(world, client):
    contract = actions.create_contract(actor=world.agent, name="Lease", vendor="V")
    client.force_login(world.agent)
    assert client.get(f"/assets/contracts/{contract.pk}/delete").status_code == 200
    assert Contract.objects.exists()
    assert client.post(f"/assets/contracts/{contract.pk}/delete").status_code == 302
    assert not Contract.objects.exists()

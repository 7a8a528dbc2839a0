"""The asset form offers the statuses of the chosen stage and refuses a status of another one,
writing nothing (DOMAIN.md §2.8); without scripts the re-shown form lists the new stage's."""

from __future__ import annotations

from serval.assets import actions
from serval.assets.models import Asset
from serval.core.models import JournalEvent
from tests.assets.form_posts import asset_form, errors_of


def test_a_new_asset_with_a_mismatched_status_is_not_recorded(world, client):
    client.force_login(world.agent)
    response = client.post(
        "/assets/new",
        asset_form(name="Laptop", lifecycle_stage="operational", lifecycle_status="sold"),
    )
    assert response.status_code == 200
    assert list(errors_of(response)) == ["lifecycle_status"]
    assert not Asset.objects.exists() and not JournalEvent.objects.filter(subject_type="asset")
    body = response.content.decode()
    assert 'value="in_use"' in body and 'value="sold"' not in body


def test_an_edit_with_a_mismatched_status_changes_nothing(world, client):
    asset = actions.create_asset(actor=world.agent, name="Laptop")
    client.force_login(world.agent)
    response = client.post(
        f"/assets/{asset.pk}/edit",
        asset_form(
            name="Renamed", lifecycle_stage="missing", lifecycle_status="available", version="1"
        ),
    )
    assert "lifecycle_status" in errors_of(response)
    asset.refresh_from_db()
    assert (asset.name, asset.lifecycle_stage, asset.version) == ("Laptop", "inventory", 1)


def test_htmx_refreshes_the_status_choices_of_a_stage(world, client):
    client.force_login(world.agent)
    body = client.get("/assets/statuses?lifecycle_stage=missing").content.decode()
    assert 'value="lost"' in body and 'value="stolen"' in body and 'value="available"' not in body
    client.force_login(world.requester)
    assert client.get("/assets/statuses?lifecycle_stage=missing").status_code == 404

"""A tag or serial another asset of the tenant has is a field error on the form; nothing is
written."""

from __future__ import annotations

from serval.assets import actions
from serval.assets.models import Asset
from tests.assets.form_posts import asset_form, errors_of


def test_a_duplicate_tag_or_serial_is_refused_on_create_and_edit(world, client):
    first = actions.create_asset(actor=world.agent, name="First", asset_tag="T-1", serial="S-1")
    second = actions.create_asset(actor=world.agent, name="Second")
    client.force_login(world.agent)
    response = client.post("/assets/new", asset_form(name="Third", asset_tag="T-1", serial="S-1"))
    errors = errors_of(response)
    assert set(errors) == {"asset_tag", "serial"} and "First" in errors["asset_tag"][0]
    assert Asset.objects.count() == 2
    response = client.post(
        f"/assets/{second.pk}/edit", asset_form(name="Second", asset_tag="T-1", version="1")
    )
    assert list(errors_of(response)) == ["asset_tag"]
    second.refresh_from_db()
    assert (second.asset_tag, second.version) == ("", 1)
    # Its own tag is no conflict.
    response = client.post(
        f"/assets/{first.pk}/edit", asset_form(name="First", asset_tag="T-1", version="1")
    )
    assert response.status_code == 302


def test_another_tenants_tag_is_no_conflict(world, client):
    actions.create_asset(actor=world.outsider_agent, name="Theirs", asset_tag="T-1")
    client.force_login(world.agent)
    assert client.post("/assets/new", asset_form(name="Ours", asset_tag="T-1")).status_code == 302

"""The asset form links a CI the agent sees, of the asset's tenant, that has no asset yet; another
tenant's CI is "unknown" (never confirmed to exist) and nothing is written (DESIGN.md rule 8)."""

from __future__ import annotations

from serval.assets import actions
from serval.assets.models import Asset
from tests.assets.conftest import make_ci
from tests.assets.form_posts import asset_form, errors_of


def test_a_ci_of_another_tenant_is_refused(world, client):
    theirs = make_ci(world.outsider_agent, "their-host")
    client.force_login(world.agent)
    page = client.get("/assets/new").content.decode()
    assert "their-host" not in page
    for typed in (f"#{theirs.pk}", "their-host", f"their-host #{theirs.pk}"):
        response = client.post("/assets/new", asset_form(name="x", ci=typed))
        assert errors_of(response) == {"ci": ["Unknown configuration item."]}, typed
    assert not Asset.objects.exists()


def test_a_ci_that_already_has_an_asset_is_refused(world, client):
    ci = make_ci(world.agent, "host")
    actions.create_asset(actor=world.agent, name="first", ci=ci)
    client.force_login(world.agent)
    assert f"host #{ci.pk}" not in client.get("/assets/new").content.decode()
    response = client.post("/assets/new", asset_form(name="second", ci="host"))
    assert "first" in errors_of(response)["ci"][0]
    assert Asset.objects.count() == 1


def test_an_ambiguous_name_asks_for_a_pick_and_an_unknown_person_is_refused(world, client):
    make_ci(world.agent, "twin")
    make_ci(world.agent, "twin")
    client.force_login(world.agent)
    response = client.post("/assets/new", asset_form(name="x", ci="twin", assigned_to="otto"))
    errors = errors_of(response)
    assert set(errors) == {"ci", "assigned_to"} and "Several" in errors["ci"][0]
    assert not Asset.objects.exists()

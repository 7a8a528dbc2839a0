"""Out of reach is 404, never 403; no asset record can link another tenant's records
(SECURITY-REFERENCE A1, DESIGN.md rule 8)."""

from __future__ import annotations

import pytest

from serval.assets import actions, software
from serval.core.errors import ValidationFailed
from serval.people.models import TenantGrant, User
from tests.assets.conftest import assert_problem, install, make_ci, make_product, make_version


def _records(world):
    product = make_product(world.admin, "Secret app")
    version = make_version(world.admin, product, "1")
    ci = make_ci(world.agent, "secret-host")
    asset = actions.create_asset(actor=world.agent, name="secret", ci=ci)
    inst = install(world.agent, ci, version)
    licence = software.create_licence(actor=world.agent, name="L", product=product)
    contract = actions.create_contract(actor=world.agent, name="C", vendor="V")
    return {
        "assets": asset.pk,
        "assets/products": product.pk,
        "assets/versions": version.pk,
        "assets/installations": inst.pk,
        "assets/licences": licence.pk,
        "assets/contracts": contract.pk,
    }


def test_other_tenants_and_requesters_get_404_everywhere(world, api_as):
    records = _records(world)
    for user in (world.outsider_agent, world.requester):
        api = api_as(user)
        for path, pk in records.items():
            assert_problem(api.get(f"{path}/{pk}"), 404)
            assert_problem(api.patch(f"{path}/{pk}", {}), 404)
            assert_problem(api.delete(f"{path}/{pk}"), 404)
            assert api.get(path).json()["items"] == []


def test_references_out_of_reach_are_unknown_field_errors(world, api_as):
    records = _records(world)
    api = api_as(world.outsider_agent)
    their_ci = make_ci(world.outsider_agent, "theirs")
    for path, body, field in (
        ("assets", {"name": "x", "ci": make_ci(world.agent, "ours").pk}, "ci"),
        ("assets", {"name": "x", "assigned_to": "alice"}, "assigned_to"),
        (
            "assets/installations",
            {"ci": their_ci.pk, "software_version": records["assets/versions"]},
            "software_version",
        ),
        ("assets/licences", {"name": "x", "product": records["assets/products"]}, "product"),
        (
            "assets/contracts",
            {"name": "x", "vendor": "v", "covered_assets": [records["assets"]]},
            "covered_assets",
        ),
    ):
        assert assert_problem(api.post(path, body), 422)["errors"][0]["field"] == field


def test_an_agent_of_two_tenants_cannot_link_across_them(world):
    TenantGrant.objects.create(user=world.agent, tenant=world.other_tenant)
    agent = User.objects.get(pk=world.agent.pk)  # a fresh object: reach is cached per instance
    foreign_ci = make_ci(world.outsider_agent, "foreign")
    foreign_asset = actions.create_asset(actor=world.outsider_agent, name="foreign")
    with pytest.raises(ValidationFailed) as exc:
        actions.create_asset(actor=agent, name="ours", ci=foreign_ci)
    assert "ci" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        actions.create_contract(actor=agent, name="C", vendor="V", covered_assets=[foreign_asset])
    product = make_product(world.admin, "Not shared")
    version = make_version(world.admin, product, "1")
    with pytest.raises(ValidationFailed):
        software.create_installation(actor=agent, ci=foreign_ci, software_version=version)
    with pytest.raises(ValidationFailed):
        software.create_licence(actor=agent, tenant=world.other_tenant, name="L", product=product)

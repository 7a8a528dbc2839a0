"""DOMAIN.md §2.7 identification: one CI per serial, host name, FQDN or cloud id per tenant."""

from __future__ import annotations

import pytest

from serval.cmdb import actions
from serval.core.errors import ValidationFailed
from tests.cmdb.conftest import make_ci


def test_a_second_ci_with_the_same_identifier_is_a_field_error(world):
    first = make_ci(world.agent, "web1", serial="SN1", hostname="web1", fqdn="web1.example.com")
    with pytest.raises(ValidationFailed) as exc:
        make_ci(world.agent, "web1 again", serial="SN1", hostname="WEB1", fqdn="web1.example.com.")
    errors = exc.value.as_dict()
    assert set(errors) == {"serial", "hostname", "fqdn"}
    assert f"CI {first.pk}" in errors["serial"]


def test_empty_identifiers_never_collide_and_updates_are_checked(world):
    make_ci(world.agent, "a")
    b = make_ci(world.agent, "b")
    make_ci(world.agent, "c", cloud_id="i-123")
    with pytest.raises(ValidationFailed) as exc:
        actions.update_ci(actor=world.agent, ci=b, cloud_id="i-123")
    assert "cloud_id" in exc.value.as_dict()
    assert actions.update_ci(actor=world.agent, ci=b, cloud_id="i-456").cloud_id == "i-456"


def test_another_tenant_may_use_the_same_identifier(world):
    make_ci(world.agent, "web1", serial="SN1")
    other = make_ci(world.outsider_agent, "web1", serial="SN1")
    assert other.tenant == world.other_tenant

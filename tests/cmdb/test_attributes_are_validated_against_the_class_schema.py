"""Issue 4: CI attributes are validated against the class schema on every write."""

from __future__ import annotations

import pytest

from serval.cmdb import actions
from serval.core.errors import PermissionDenied, ValidationFailed
from tests.cmdb.conftest import cls, make_ci


def test_typed_values_are_accepted_and_wrong_ones_named(world):
    ci = make_ci(
        world.agent, "db1", "db_instance", attributes={"engine": "postgresql", "port": 5432}
    )
    assert ci.attributes == {"engine": "postgresql", "port": 5432}
    with pytest.raises(ValidationFailed) as exc:
        actions.update_ci(
            actor=world.agent,
            ci=ci,
            attributes={"engine": "db2", "port": "5432", "colour": "red", "publisher": 7},
        )
    assert set(exc.value.as_dict()) == {
        "attributes.engine",
        "attributes.port",
        "attributes.colour",
        "attributes.publisher",
    }


def test_required_attributes_and_dates_of_a_tenant_class(world):
    klass = actions.create_class(
        actor=world.admin,
        tenant=world.tenant,
        name="laptop",
        label="Laptop",
        parent=cls("computer"),
        schema=[
            {"name": "asset_tag", "type": "string", "required": True},
            {"name": "bought", "type": "date"},
        ],
    )
    with pytest.raises(ValidationFailed) as exc:
        actions.create_ci(
            actor=world.agent, name="lt1", ci_class=klass, attributes={"bought": "2024-13-01"}
        )
    assert set(exc.value.as_dict()) == {"attributes.asset_tag", "attributes.bought"}
    ci = actions.create_ci(
        actor=world.agent,
        name="lt1",
        ci_class=klass,
        attributes={"asset_tag": "A-1", "bought": "2024-02-29", "os": "Linux"},
    )
    assert ci.attributes["os"] == "Linux"  # inherited from computer


def test_changing_the_class_rechecks_the_attributes(world):
    ci = make_ci(world.agent, "db1", "db_instance", attributes={"engine": "mysql"})
    with pytest.raises(ValidationFailed) as exc:
        actions.update_ci(actor=world.agent, ci=ci, ci_class=cls("storage"))
    assert "attributes.engine" in exc.value.as_dict()
    ci = actions.update_ci(actor=world.agent, ci=ci, ci_class=cls("storage"), attributes={})
    assert ci.ci_class.name == "storage"


def test_bad_schemas_and_non_admins_are_refused(world):
    with pytest.raises(ValidationFailed):
        actions.create_class(
            actor=world.admin,
            tenant=world.tenant,
            name="x",
            label="X",
            schema=[{"name": "a", "type": "choice"}],
        )
    with pytest.raises(ValidationFailed):  # redefines an inherited field
        actions.create_class(
            actor=world.admin,
            tenant=world.tenant,
            name="y",
            label="Y",
            parent=cls("server"),
            schema=[{"name": "model", "type": "int"}],
        )
    with pytest.raises(PermissionDenied):
        actions.create_class(actor=world.agent, tenant=world.tenant, name="z", label="Z")

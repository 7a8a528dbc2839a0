"""DOMAIN.md §2.7 service model: business service → service offering (CSDM style)."""

from __future__ import annotations

import pytest

from serval.core.errors import ValidationFailed
from serval.services import actions


def test_an_offering_needs_a_service_parent_and_services_have_none(world):
    service = actions.create_service(actor=world.manager, name="Email")
    gold = actions.create_service(
        actor=world.manager, name="Email Gold", kind="offering", parent=service
    )
    assert gold.parent == service
    with pytest.raises(ValidationFailed) as exc:
        actions.create_service(actor=world.manager, name="Orphan", kind="offering")
    assert "parent" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        actions.create_service(actor=world.manager, name="Nested", kind="offering", parent=gold)
    with pytest.raises(ValidationFailed):
        actions.create_service(actor=world.manager, name="Child", kind="business", parent=service)


def test_a_service_with_offerings_cannot_become_one_or_be_deleted(world):
    service = actions.create_service(actor=world.manager, name="Email")
    actions.create_service(actor=world.manager, name="Email Gold", kind="offering", parent=service)
    other = actions.create_service(actor=world.manager, name="Web")
    with pytest.raises(ValidationFailed):
        actions.update_service(actor=world.manager, service=service, kind="offering", parent=other)
    with pytest.raises(ValidationFailed):
        actions.delete_service(actor=world.manager, service=service)

"""DOMAIN.md §2.11 portfolio records; DESIGN.md rule 1 (actions journal every write)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.models import JournalEvent
from serval.services import actions
from serval.services.querysets import services_visible_to


def _events(service):
    return list(
        JournalEvent.objects.filter(subject_type="service", subject_id=service.pk)
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_a_manager_creates_and_edits_a_service_with_a_journal(world):
    service = actions.create_service(
        actor=world.manager,
        name="Payroll",
        owner=world.manager,
        support_team=world.team,
        customers=[world.org],
        cost="1200.50",
        value=Decimal("5000"),
        criticality="high",
    )
    assert service.status == "pipeline" and service.cost == Decimal("1200.50")
    assert list(service.customers.all()) == [world.org]
    service = actions.update_service(
        actor=world.admin, service=service, status="live", expected_version=1
    )
    assert service.status == "live" and service.version == 2
    assert _events(service) == ["created", "updated"]
    last = JournalEvent.objects.filter(subject_type="service", subject_id=service.pk).last()
    assert last.data["changes"]["status"] == ["pipeline", "live"]


def test_agents_and_requesters_cannot_change_the_portfolio(world):
    with pytest.raises(PermissionDenied):
        actions.create_service(actor=world.agent, name="Mail")
    service = actions.create_service(actor=world.manager, name="Mail")
    with pytest.raises(PermissionDenied):
        actions.update_service(actor=world.requester, service=service, name="Post")


def test_a_stale_version_is_refused(world):
    service = actions.create_service(actor=world.manager, name="Mail")
    actions.update_service(actor=world.manager, service=service, description="v2")
    with pytest.raises(StaleVersion):
        actions.update_service(actor=world.manager, service=service, name="X", expected_version=1)


def test_links_to_another_tenant_are_field_errors(world):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_service(
            actor=world.manager,
            name="Mail",
            support_team=world.outsider_team,
            owner=world.outsider_agent,
        )
    assert set(exc.value.as_dict()) == {"support_team", "owner"}


def test_names_are_unique_and_money_is_checked(world):
    actions.create_service(actor=world.manager, name="Mail")
    with pytest.raises(ValidationFailed) as exc:
        actions.create_service(actor=world.manager, name="Mail")
    assert "name" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        actions.create_service(actor=world.manager, name="Web", cost="-1", value="lots")
    assert set(exc.value.as_dict()) == {"cost", "value"}


def test_requesters_see_only_live_services_and_outsiders_none(world):
    live = actions.create_service(actor=world.manager, name="Mail", status="live")
    actions.create_service(actor=world.manager, name="Next", status="pipeline")
    assert set(services_visible_to(world.agent).values_list("name", flat=True)) == {"Mail", "Next"}
    assert list(services_visible_to(world.requester)) == [live]
    assert not services_visible_to(world.outsider_agent).exists()

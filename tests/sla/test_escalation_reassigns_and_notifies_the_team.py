"""Issue 3 "escalation … as configurable actions": a definition's rule reassigns a work item to a
configured team when a level fires — journaled as the system, notified like any reassignment,
and once only — or brings the manager's mail forward to an earlier level."""

from __future__ import annotations

from datetime import timedelta

import pytest

from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents.actions import update_incident
from serval.sla.actions import update_definition
from serval.sla.engine import check_clock
from serval.sla.escalation import escalate
from serval.sla.models import SlaDefinition
from serval.sla.tasks import escalate_sla
from tests import factories as f
from tests.api.conftest import api_as, assert_problem  # noqa: F401 - fixture
from tests.notifications.conftest import inbox, run_queue  # noqa: F401 - fixture
from tests.sla.conftest import clock


def _p1_resolution(world, rules):
    definition = SlaDefinition.objects.get(tenant=world.tenant, name="P1 resolution")
    update_definition(actor=world.admin, definition=definition, escalation=rules)
    item = f.make_incident(world.requester, impact=1, urgency=1, title="Core switch down")
    update_incident(
        actor=world.manager, item=item, assignment_group=world.team.pk, assignee=world.agent.pk
    )
    return item, clock(item, "resolution")


def test_at_seventy_five_percent_the_item_moves_to_the_configured_team(
    world,
    frozen,
    inbox,  # noqa: F811
):
    item, resolution = _p1_resolution(
        world, [{"at": 75, "action": "reassign", "team": world.team2.pk}]
    )
    run_queue()
    inbox.received.clear()
    assert check_clock(resolution.pk, now=resolution.start_at + timedelta(hours=3)) == [50, 75]
    ran = run_queue()
    assert all(r.status == "SUCCESSFUL" for r in ran)
    item.refresh_from_db()
    assert item.assignment_group_id == world.team2.pk and item.assignee_id is None
    update = JournalEvent.objects.filter(subject_id=item.pk, verb="updated").latest("seq")
    assert update.actor_id is None  # the system did it
    assert update.data["changes"]["assignment_group"] == ["Service Desk", "Network"]
    escalated = JournalEvent.objects.get(subject_id=item.pk, verb="sla_escalated")
    assert escalated.internal and escalated.data["level"] == 75
    # Network's only member hears about the reassignment.
    assert [m.subject for m in inbox.to(world.agent2.email)] == [
        f"[{item.number}] Assigned: Core switch down"
    ]
    # Running the escalation again changes nothing.
    assert escalate_sla.call(resolution.pk, 75) == 0
    assert escalate(resolution.pk, 75) == 0
    assert JournalEvent.objects.filter(subject_id=item.pk, verb="sla_escalated").count() == 1


def test_notify_manager_at_fifty_percent_brings_the_managers_mail_forward(
    world,
    frozen,
    inbox,  # noqa: F811
):
    item, resolution = _p1_resolution(world, [{"at": 50, "action": "notify_manager"}])
    run_queue()
    inbox.received.clear()
    assert check_clock(resolution.pk, now=resolution.start_at + timedelta(hours=2)) == [50]
    run_queue()
    assert inbox.addresses() == sorted([world.agent.email, world.manager.email])
    item.refresh_from_db()
    assert item.assignment_group_id == world.team.pk


def test_rules_are_validated(world):
    definition = SlaDefinition.objects.get(tenant=world.tenant, name="P1 resolution")
    for bad in (
        [{"at": 60, "action": "reassign", "team": world.team2.pk}],
        [{"at": 75, "action": "delete"}],
        [{"at": 75, "action": "reassign", "team": world.outsider_team.pk}],
        [{"at": 75, "action": "reassign"}],
        "reassign",
    ):
        with pytest.raises(ValidationFailed):
            update_definition(actor=world.admin, definition=definition, escalation=bad)
    update_definition(
        actor=world.admin,
        definition=definition,
        escalation=[{"at": 100, "action": "reassign", "team": world.team2.pk}],
    )
    definition.refresh_from_db()
    assert definition.escalation == [{"at": 100, "action": "reassign", "team": world.team2.pk}]


def test_the_api_reads_and_writes_escalation_rules(world, api_as):  # noqa: F811
    admin = api_as(world.admin)
    definition = SlaDefinition.objects.get(tenant=world.tenant, name="P2 resolution")
    rules = [
        {"at": 50, "action": "notify_manager", "team": None},
        {"at": 100, "action": "reassign", "team": world.team2.pk},
    ]
    response = admin.patch(f"sla/definitions/{definition.pk}", {"escalation": rules})
    assert response.status_code == 200, response.content
    assert response.json()["escalation"] == rules
    bad = admin.patch(
        f"sla/definitions/{definition.pk}",
        {"escalation": [{"at": 75, "action": "reassign", "team": world.outsider_team.pk}]},
    )
    assert_problem(bad, 422)

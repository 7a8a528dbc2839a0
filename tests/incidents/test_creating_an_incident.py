"""DOMAIN.md §2.1 and the common task base: what `create_incident` fills in and refuses."""

from __future__ import annotations

import re

import pytest

from serval.core.errors import NotFound, ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.incidents.models import IncidentDetail
from serval.work.models import WorkItem
from tests import factories as f


def test_a_new_incident_gets_a_number_state_priority_and_journal_entry(world):
    inc = f.make_incident(world.agent, impact=1, urgency=2)
    assert re.fullmatch(r"INC-\d+", inc.number)
    assert inc.state == "new" and inc.active
    assert inc.priority == 2
    assert inc.version == 1 and inc.reassignment_count == 0 and inc.reopen_count == 0
    assert inc.opened_by == world.agent
    assert IncidentDetail.objects.filter(work_item=inc).exists()
    events = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk).exclude(
        verb__startswith="sla_"  # SLA clocks attach and journal themselves (DOMAIN.md §2.5)
    )
    assert [e.verb for e in events] == ["created"]
    assert events[0].data["number"] == inc.number and events[0].actor_id == world.agent.pk


def test_the_caller_defaults_to_the_actor_and_the_organization_follows_the_caller(world):
    own = f.make_incident(world.requester)
    assert own.caller == world.requester and own.organization == world.org
    for_other = f.make_incident(world.agent, caller=world.requester_other_org.pk)
    assert for_other.caller == world.requester_other_org
    assert for_other.organization == world.other_org
    by_name = f.make_incident(world.agent, caller=world.requester_same_org.username)
    assert by_name.caller == world.requester_same_org and by_name.organization == world.org


def test_the_agent_routes_at_creation_and_the_assignee_must_be_a_member(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, assignee=world.agent.pk)
    assert inc.assignment_group == world.team and inc.assignee == world.agent
    assert inc.reassignment_count == 0
    before = WorkItem.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(world.agent, assignment_group=world.team.pk, assignee=world.agent2.pk)
    assert "assignee" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(world.agent, assignee=world.agent.pk)
    assert "assignee" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(world.agent, assignment_group=world.team.pk, assignee=world.requester.pk)
    assert "assignee" in exc.value.as_dict()
    assert WorkItem.objects.count() == before


@pytest.mark.parametrize("field", ["caller", "assignment_group", "assignee", "parent", "due_date"])
def test_a_requester_cannot_route_or_set_the_caller(world, field):
    """SECURITY-REFERENCE A8: field-level writes; requesters log for themselves only."""
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(world.requester, **{field: world.agent.pk})
    assert field in exc.value.as_dict()


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"impact": 4}, "impact"),
        ({"urgency": 0}, "urgency"),
        ({"impact": True}, "impact"),
        ({"channel": "pigeon"}, "channel"),
        ({"service": "s" * 201}, "service"),
        ({"colour": "red"}, "colour"),
        ({"caller": 10**9}, "caller"),
        ({"assignment_group": "nope"}, "assignment_group"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(world, fields, bad):
    events, items = JournalEvent.objects.count(), WorkItem.objects.count()
    fields.setdefault("title", "Printer on fire")
    with pytest.raises(ValidationFailed) as exc:
        incidents.create_incident(actor=world.agent, **fields)
    assert bad in exc.value.as_dict()
    assert (JournalEvent.objects.count(), WorkItem.objects.count()) == (events, items)


def test_nobody_creates_in_a_tenant_out_of_reach(world):
    with pytest.raises(NotFound):
        f.make_incident(world.agent, tenant=world.other_tenant)

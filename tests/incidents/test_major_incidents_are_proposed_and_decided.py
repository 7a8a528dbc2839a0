"""DOMAIN.md §2.1 major incident: any agent proposes a candidate; the MI manager (manager or
admin role) accepts or rejects; requesters do neither."""

from __future__ import annotations

import pytest

from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.incidents.models import IncidentDetail, MajorState
from tests import factories as f


def _detail(inc):
    return IncidentDetail.objects.get(work_item=inc)


def test_an_agent_proposes_and_a_manager_accepts(world):
    inc = f.make_incident(world.agent, impact=1, urgency=1)
    incidents.propose_major(actor=world.agent, item=inc, business_impact="  Mail is down.  ")
    d = _detail(inc)
    assert d.major_state == MajorState.PROPOSED and d.major_proposed_by == world.agent
    assert d.business_impact == "Mail is down." and d.major_proposed_at is not None
    incidents.decide_major(actor=world.manager, item=inc, accept=True)
    d = _detail(inc)
    assert d.major_state == MajorState.ACCEPTED and d.major_manager == world.manager
    assert d.major_promoted_at is not None
    verbs = JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk).exclude(
        verb__startswith="sla_"
    )
    assert list(verbs.values_list("verb", flat=True)) == [
        "created",
        "major_proposed",
        "major_accepted",
    ]


def test_an_admin_rejects_and_the_incident_can_be_proposed_again(world):
    inc = f.make_incident(world.agent)
    incidents.propose_major(actor=world.agent2, item=inc)
    incidents.decide_major(actor=world.admin, item=inc, accept=False, reason="One user only.")
    assert _detail(inc).major_state == MajorState.REJECTED
    assert _detail(inc).major_manager is None
    incidents.propose_major(actor=world.agent, item=inc)
    assert _detail(inc).major_state == MajorState.PROPOSED


@pytest.mark.parametrize("who", ["requester", "requester_same_org"])
def test_requesters_cannot_propose(world, who):
    inc = f.make_incident(world.requester)
    with pytest.raises(PermissionDenied):
        incidents.propose_major(actor=getattr(world, who), item=inc)
    assert _detail(inc).major_state == MajorState.NONE


@pytest.mark.parametrize("who", ["agent", "agent2", "requester"])
def test_only_managers_and_admins_decide(world, who):
    inc = f.make_incident(world.agent)
    incidents.propose_major(actor=world.agent, item=inc)
    with pytest.raises(PermissionDenied):
        incidents.decide_major(actor=getattr(world, who), item=inc, accept=True)
    assert _detail(inc).major_state == MajorState.PROPOSED


def test_proposals_need_an_open_incident_and_decisions_a_proposal(world):
    inc = f.make_incident(world.agent)
    with pytest.raises(ValidationFailed):
        incidents.decide_major(actor=world.manager, item=inc, accept=True)
    incidents.propose_major(actor=world.agent, item=inc)
    with pytest.raises(ValidationFailed):
        incidents.propose_major(actor=world.agent, item=inc)
    done = f.make_incident(world.agent)
    incidents.transition_incident(actor=world.agent, item=done, to="cancelled", cancel_reason="x")
    with pytest.raises(ValidationFailed):
        incidents.propose_major(actor=world.agent, item=done)

"""DOMAIN.md §2.1 assignment rules and DESIGN.md rule 6 (stale writes) for `update_incident`."""

from __future__ import annotations

import pytest

from serval.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.work.models import WorkItem
from tests import factories as f


def _journal(inc):
    return list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=inc.pk)
        .exclude(verb__startswith="sla_")
        .order_by("seq")
    )


def test_the_first_assignment_is_not_a_reassignment_but_every_later_group_change_is(world):
    inc = f.make_incident(world.agent)
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team.pk)
    assert inc.reassignment_count == 0
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team2.pk)
    assert inc.reassignment_count == 1
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team.pk)
    assert inc.reassignment_count == 2
    inc = incidents.update_incident(actor=world.agent, item=inc, title="Renamed only")
    assert inc.reassignment_count == 2
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team.pk)
    assert inc.reassignment_count == 2, "the same group again is no change"
    assert WorkItem.objects.get(pk=inc.pk).reassignment_count == 2


def test_moving_to_a_group_the_assignee_is_not_in_clears_the_assignee(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, assignee=world.agent.pk)
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team2.pk)
    assert inc.assignment_group == world.team2 and inc.assignee is None
    assert _journal(inc)[-1].data["changes"]["assignee"] == ["alice", None]


def test_moving_to_a_group_the_assignee_is_in_keeps_the_assignee(world):
    world.team2.members.add(world.agent)
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, assignee=world.agent.pk)
    inc = incidents.update_incident(actor=world.agent, item=inc, assignment_group=world.team2.pk)
    assert inc.assignee == world.agent


def test_the_assignee_must_be_a_member_of_the_group(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    with pytest.raises(ValidationFailed) as exc:
        incidents.update_incident(actor=world.agent, item=inc, assignee=world.agent2.pk)
    assert "assignee" in exc.value.as_dict()
    with pytest.raises(ValidationFailed) as exc:
        incidents.update_incident(
            actor=world.agent, item=inc, assignment_group=world.team.pk, assignee=world.agent2.pk
        )
    assert "assignee" in exc.value.as_dict()


def test_a_newly_chosen_assignee_outside_the_new_group_is_refused_not_dropped(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk, assignee=world.agent.pk)
    with pytest.raises(ValidationFailed) as exc:
        incidents.update_incident(
            actor=world.agent, item=inc, assignment_group=world.team2.pk, assignee=world.manager.pk
        )
    assert "assignee" in exc.value.as_dict()
    inc = incidents.update_incident(
        actor=world.agent, item=inc, assignment_group=world.team2.pk, assignee=world.agent2.pk
    )
    assert (inc.assignment_group, inc.assignee) == (world.team2, world.agent2)


def test_an_incident_in_progress_keeps_an_assignment_group(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    inc = incidents.transition_incident(actor=world.agent, item=inc, to="in_progress")
    with pytest.raises(ValidationFailed) as exc:
        incidents.update_incident(actor=world.agent, item=inc, assignment_group=None)
    assert "assignment_group" in exc.value.as_dict()


@pytest.mark.parametrize("who", ["requester", "requester_same_org"])
def test_requesters_cannot_update(world, who):
    inc = f.make_incident(world.requester)
    with pytest.raises(PermissionDenied):
        incidents.update_incident(actor=getattr(world, who), item=inc, title="mine now")
    assert WorkItem.objects.get(pk=inc.pk).version == 1


def test_a_stale_version_is_refused_and_a_current_one_accepted(world):
    inc = f.make_incident(world.agent)
    inc = incidents.update_incident(actor=world.agent, item=inc, expected_version=1, title="v2")
    assert inc.version == 2
    with pytest.raises(StaleVersion) as exc:
        incidents.update_incident(actor=world.agent, item=inc, expected_version=1, title="lost")
    assert exc.value.current == 2
    assert WorkItem.objects.get(pk=inc.pk).title == "v2"


def test_an_update_journals_old_and_new_values(world):
    inc = f.make_incident(world.agent, impact=3, urgency=3)
    inc = incidents.update_incident(actor=world.agent, item=inc, impact=1, service="Mail")
    changes = _journal(inc)[-1].data["changes"]
    assert changes["impact"] == [3, 1] and changes["priority"] == [5, 3]
    assert changes["service"] == [None, "Mail"]


def test_closed_incidents_are_read_only_except_for_admins(world):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    inc = incidents.transition_incident(
        actor=world.agent, item=inc, to="cancelled", cancel_reason="duplicate"
    )
    with pytest.raises(PermissionDenied):
        incidents.update_incident(actor=world.agent, item=inc, title="edit after close")
    inc = incidents.update_incident(actor=world.admin, item=inc, title="admin fixes a typo")
    assert inc.title == "admin fixes a typo"

"""SECURITY-REFERENCE A3 (iTop CVE-2023-45808, Zammad CVE-2026-34722) and DESIGN.md rule 8:
every reference an incident links — caller, assignment group, assignee, parent — must be within
the incident's tenant; otherwise a field error, and nothing is written."""

from __future__ import annotations

import pytest

from serval.core.errors import ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.work.models import WorkItem
from tests import factories as f


def _foreign(world, field):
    if field == "caller":
        return world.outsider_requester.pk
    if field == "assignment_group":
        return world.outsider_team.pk
    if field == "assignee":
        return world.outsider_agent.pk
    return f.make_incident(world.outsider_agent).number


def _snapshot():
    return WorkItem.objects.count(), JournalEvent.objects.count()


@pytest.mark.parametrize("field", ["caller", "assignment_group", "assignee", "parent"])
def test_create_refuses_another_tenants_reference(world, field):
    value = _foreign(world, field)
    extra = {"assignment_group": world.team.pk} if field == "assignee" else {}
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(world.agent, **{field: value}, **extra)
    assert field in exc.value.as_dict()
    assert _snapshot() == before


@pytest.mark.parametrize("field", ["caller", "assignment_group", "assignee", "parent"])
def test_update_refuses_another_tenants_reference(world, field):
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    value = _foreign(world, field)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        incidents.update_incident(actor=world.agent, item=inc, **{field: value})
    assert field in exc.value.as_dict()
    assert _snapshot() == before
    after = WorkItem.objects.get(pk=inc.pk)
    assert (after.version, after.caller_id, after.assignment_group_id, after.assignee_id) == (
        1,
        world.agent.pk,
        world.team.pk,
        None,
    )


def test_a_transition_refuses_another_tenants_group(world):
    inc = f.make_incident(world.agent)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        incidents.transition_incident(
            actor=world.agent, item=inc, to="in_progress", assignment_group=world.outsider_team.pk
        )
    assert "assignment_group" in exc.value.as_dict()
    assert _snapshot() == before


def test_a_foreign_agent_in_a_team_still_cannot_be_assigned(world):
    """Membership alone is not reach: the assignee must work in the incident's tenant."""
    world.team.members.add(world.outsider_agent)
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(
            world.agent, assignment_group=world.team.pk, assignee=world.outsider_agent.pk
        )
    assert "assignee" in exc.value.as_dict()


def test_every_bad_reference_is_named_at_once(world):
    with pytest.raises(ValidationFailed) as exc:
        f.make_incident(
            world.agent,
            caller=world.outsider_requester.pk,
            assignment_group=world.outsider_team.pk,
            parent=_foreign(world, "parent"),
        )
    assert {"caller", "assignment_group", "parent"} <= set(exc.value.as_dict())

"""While a change waits for approval or is scheduled, its planned window, plans and CIs are what
the approvers approved: editing them is refused until it is reverted to New (DOMAIN.md §2.3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from serval.changes import actions
from serval.cmdb import worklinks
from serval.core.errors import ValidationFailed
from serval.work.models import WorkItem
from tests.changes.conftest import make_change, make_policies


def test_planned_window_plans_type_and_cis_are_frozen_while_approving(world, estate):
    make_policies(world)
    change = make_change(world.agent, cis=(estate.db,))
    actions.transition_change(actor=world.agent, item=change, to="assess")
    change = WorkItem.objects.get(pk=change.pk)
    later = change.change.planned_end + timedelta(hours=1)
    with pytest.raises(ValidationFailed) as exc:
        actions.update_change(actor=world.agent, item=change, planned_end=later)
    assert "planned_end" in exc.value.as_dict()
    with pytest.raises(ValidationFailed):
        worklinks.link_ci(actor=world.agent, item=change, ci=estate.server)
    # Other fields stay editable.
    actions.update_change(actor=world.agent, item=change, test_plan="Smoke tests.")

    actions.transition_change(actor=world.agent, item=change, to="new")
    change = WorkItem.objects.get(pk=change.pk)
    actions.update_change(actor=world.agent, item=change, planned_end=later)
    assert WorkItem.objects.get(pk=change.pk).change.planned_end == later


def test_the_type_changes_only_in_new_before_any_approval_round(world, estate):
    make_policies(world)
    change = make_change(world.agent)
    actions.update_change(actor=world.agent, item=change, change_type="emergency")
    actions.update_change(actor=world.agent, item=change, change_type="normal")
    actions.transition_change(actor=world.agent, item=change, to="assess")
    actions.transition_change(actor=world.agent, item=change, to="new")
    with pytest.raises(ValidationFailed) as exc:
        actions.update_change(
            actor=world.agent, item=WorkItem.objects.get(pk=change.pk), change_type="emergency"
        )
    assert "change_type" in exc.value.as_dict()


def test_a_normal_change_needs_its_plans_and_window_before_approval(world):
    change = actions.create_change(actor=world.agent, title="Vague idea")
    with pytest.raises(ValidationFailed) as exc:
        actions.transition_change(actor=world.agent, item=change, to="assess")
    assert set(exc.value.as_dict()) == {
        "justification",
        "implementation_plan",
        "backout_plan",
        "planned_start",
        "planned_end",
    }


def test_the_planned_end_must_follow_the_start(world):
    change = make_change(world.agent)
    with pytest.raises(ValidationFailed) as exc:
        actions.update_change(
            actor=world.agent, item=change, planned_end=change.change.planned_start
        )
    assert "planned_end" in exc.value.as_dict()


def test_requesters_cannot_raise_changes(world):
    from serval.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_change(actor=world.requester, title="Please upgrade")

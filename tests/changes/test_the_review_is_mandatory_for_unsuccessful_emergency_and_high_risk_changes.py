"""The post-implementation review is mandatory for unsuccessful, emergency and high-risk changes
(DOMAIN.md §2.3 PIR, seed); without it they cannot close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from serval.changes import actions
from serval.changes.models import ChangeReview
from serval.core.errors import ValidationFailed
from serval.work.models import WorkItem
from tests.changes.conftest import make_change


def _implemented(world, change, outcome):
    for to in ("assess", "implement"):
        item = WorkItem.objects.get(pk=change.pk)
        if item.state != to:
            actions.transition_change(actor=world.agent, item=item, to=to)
    actions.transition_change(
        actor=world.agent,
        item=WorkItem.objects.get(pk=change.pk),
        to="review",
        close_code=outcome,
        close_notes="Rolled back after errors." if outcome == "unsuccessful" else "Fine.",
    )
    return WorkItem.objects.get(pk=change.pk)


def test_an_unsuccessful_change_needs_its_review_before_closing(world):
    change = make_change(world.agent, assignment_group=world.team.pk)
    change = _implemented(world, change, "unsuccessful")
    with pytest.raises(ValidationFailed) as exc:
        actions.transition_change(actor=world.agent, item=change, to="closed")
    assert "review" in exc.value.as_dict()
    ChangeReview.objects.create(
        change=change.change,
        objectives_met=False,
        backout_executed=True,
        lessons="Test with production data volumes.",
        completed_by=world.agent,
        completed_at=timezone.now(),
    )
    actions.transition_change(actor=world.agent, item=change, to="closed")
    assert WorkItem.objects.get(pk=change.pk).state == "closed"


def test_a_successful_low_risk_normal_change_closes_without_a_review(world):
    change = _implemented(
        world, make_change(world.agent, assignment_group=world.team.pk), "successful"
    )
    actions.transition_change(actor=world.agent, item=change, to="closed")


def test_an_emergency_change_needs_a_review_and_its_plans_before_closing(world):
    change = actions.create_change(
        actor=world.agent,
        title="Block the exploited port",
        change_type="emergency",
        justification="Active exploitation.",
        assignment_group=world.team.pk,
    )
    actions.transition_change(actor=world.agent, item=change, to="authorize")  # no policy
    item = WorkItem.objects.get(pk=change.pk)
    assert item.state == "authorize"  # no planned window yet: cannot be scheduled
    start = timezone.now()
    # Documentation is completed afterwards: empty planned fields can still be filled in.
    actions.update_change(
        actor=world.agent, item=item, planned_start=start, planned_end=start + timedelta(hours=1)
    )
    actions.transition_change(actor=world.manager, item=item, to="scheduled")
    for to in ("implement",):
        actions.transition_change(actor=world.agent, item=item, to=to)
    actions.transition_change(
        actor=world.agent, item=item, to="review", close_code="successful", close_notes="Closed."
    )
    with pytest.raises(ValidationFailed) as exc:
        actions.transition_change(actor=world.agent, item=item, to="closed")
    assert set(exc.value.as_dict()) == {"implementation_plan", "backout_plan", "review"}
    actions.update_change(
        actor=world.agent,
        item=item,
        implementation_plan="Firewall rule 4711.",
        backout_plan="Remove the rule.",
    )
    ChangeReview.objects.create(
        change=item.change, objectives_met=True, completed_by=world.agent, completed_at=start
    )
    actions.transition_change(actor=world.agent, item=item, to="closed")

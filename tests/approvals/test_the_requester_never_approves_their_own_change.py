"""The requester never approves their own change (DOMAIN.md §2.4): they are left out when a
step's approvers are resolved, and even as someone's delegate they cannot decide on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from serval.approvals import delegation, engine
from serval.approvals.models import Approval
from serval.core.errors import PermissionDenied
from tests.approvals.conftest import make_change, make_policy, open_count, step, submit


def test_the_requester_is_left_out_of_a_team_step(world, estate):
    """Service Desk is alice and mona; alice asks, so only mona is asked."""
    make_policy(world, step(kind="team", team=world.team.pk))
    change = submit(world.agent, make_change(world.agent))
    approvers = set(Approval.objects.filter(work_item=change).values_list("approver", flat=True))
    assert approvers == {world.manager.pk}


def test_named_even_by_name_they_are_not_asked(world, estate):
    make_policy(world, step(users=[world.agent.pk, world.agent2.pk]))
    change = submit(world.agent, make_change(world.agent))
    approvers = set(Approval.objects.filter(work_item=change).values_list("approver", flat=True))
    assert approvers == {world.agent2.pk}


def test_not_even_as_the_delegate_of_an_approver(world, estate):
    make_policy(world, step(users=[world.agent2.pk]))
    now = timezone.now()
    delegation.create_delegation(
        actor=world.agent2,
        user=world.agent2,
        delegate=world.agent,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    change = submit(world.agent, make_change(world.agent))
    assert open_count(change, world.agent) == 0  # not in alice's "My approvals"
    approval = Approval.objects.get(work_item=change)
    assert not engine.can_decide(world.agent, approval)
    with pytest.raises(PermissionDenied):
        engine.decide(actor=world.agent, approval=approval, approve=True)

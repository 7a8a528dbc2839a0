"""How many of a step's approvers must approve (DOMAIN.md §2.4: group approval by any one, all,
or a quorum): any — the first decision settles it; all — everyone approves, one rejection
rejects; quorum — n approvals approve, and it is rejected once n can no longer be reached."""

from __future__ import annotations

import pytest

from serval.approvals import engine
from serval.approvals.models import Approval, ApprovalStep
from serval.core.errors import ValidationFailed
from tests import factories as f
from tests.approvals.conftest import fresh, make_change, make_policy, open_for, step, submit


def _three(world):
    return [world.agent2, world.manager, f.make_user("agent", world.tenant, "carl")]


def _step(change) -> ApprovalStep:
    return ApprovalStep.objects.get(round__work_item=change)


def test_any_one_approval_is_enough_and_the_others_are_no_longer_needed(world, estate):
    a, b, c = _three(world)
    make_policy(world, step(users=[a.pk, b.pk, c.pk], mode="any"))
    change = submit(world.agent, make_change(world.agent))
    engine.decide(actor=b, approval=open_for(change, b), approve=True)
    assert _step(change).state == "approved"
    assert fresh(change).state == "scheduled"
    states = dict(Approval.objects.filter(work_item=change).values_list("approver_id", "state"))
    assert states == {a.pk: "not_required", b.pk: "approved", c.pk: "not_required"}


def test_all_must_approve(world, estate):
    a, b, c = _three(world)
    make_policy(world, step(users=[a.pk, b.pk, c.pk], mode="all"))
    change = submit(world.agent, make_change(world.agent))
    for person in (a, b):
        engine.decide(actor=person, approval=open_for(change, person), approve=True)
        assert _step(change).state == "pending"
    engine.decide(actor=c, approval=open_for(change, c), approve=True)
    assert _step(change).state == "approved"


def test_with_all_one_rejection_rejects(world, estate):
    a, b, c = _three(world)
    make_policy(world, step(users=[a.pk, b.pk, c.pk], mode="all"))
    change = submit(world.agent, make_change(world.agent))
    engine.decide(actor=a, approval=open_for(change, a), approve=True)
    engine.decide(actor=b, approval=open_for(change, b), approve=False, comment="Not now.")
    assert _step(change).state == "rejected"
    assert fresh(change).state == "new"


def test_a_quorum_approves_with_enough_approvals(world, estate):
    a, b, c = _three(world)
    make_policy(world, step(users=[a.pk, b.pk, c.pk], mode="quorum", quorum=2))
    change = submit(world.agent, make_change(world.agent))
    engine.decide(actor=a, approval=open_for(change, a), approve=False, comment="Risky.")
    assert _step(change).state == "pending"  # two can still approve
    engine.decide(actor=b, approval=open_for(change, b), approve=True)
    assert _step(change).state == "pending"
    engine.decide(actor=c, approval=open_for(change, c), approve=True)
    assert _step(change).state == "approved"
    assert fresh(change).state == "scheduled"


def test_a_quorum_is_rejected_once_it_cannot_be_reached(world, estate):
    a, b, c = _three(world)
    make_policy(world, step(users=[a.pk, b.pk, c.pk], mode="quorum", quorum=2))
    change = submit(world.agent, make_change(world.agent))
    engine.decide(actor=a, approval=open_for(change, a), approve=False, comment="Risky.")
    engine.decide(actor=b, approval=open_for(change, b), approve=False, comment="Same.")
    assert _step(change).state == "rejected"
    assert fresh(change).state == "new"


def test_a_rejection_needs_a_reason_and_a_decided_approval_stays_decided(world, estate):
    a, b, _ = _three(world)
    make_policy(world, step(users=[a.pk, b.pk], mode="all"))
    change = submit(world.agent, make_change(world.agent))
    approval = open_for(change, a)
    with pytest.raises(ValidationFailed) as exc:
        engine.decide(actor=a, approval=approval, approve=False, comment="   ")
    assert "comment" in exc.value.as_dict()
    engine.decide(actor=a, approval=approval, approve=True)
    with pytest.raises(ValidationFailed) as exc:
        engine.decide(actor=a, approval=approval, approve=False, comment="Changed my mind.")
    assert "approval" in exc.value.as_dict()
    assert Approval.objects.get(pk=approval.pk).state == "approved"

"""A rejected step ends the round and returns the change to New; resubmitting starts round 2
with approvers resolved afresh; the panel shows the current round open and earlier ones
folded (DOMAIN.md §2.3: Assess "reject → New"; Authorize "revert to New restarts workflow and
cancels pending approvals")."""

from __future__ import annotations

from serval.approvals import engine
from serval.approvals.models import Approval, ApprovalRound
from serval.approvals.views import panel
from serval.changes.models import ChangeDetail
from tests.approvals.conftest import fresh, make_change, make_policy, open_for, step, submit


def test_reject_then_resubmit(world, estate):
    make_policy(
        world,
        step(users=[world.agent2.pk], label="Peer review"),
        step(stage="authorize", users=[world.manager.pk], label="Change manager"),
    )
    change = submit(world.agent, make_change(world.agent))
    engine.decide(actor=world.agent2, approval=open_for(change, world.agent2), approve=True)
    engine.decide(
        actor=world.manager,
        approval=open_for(change, world.manager),
        approve=False,
        comment="The window clashes with the payroll run.",
    )
    change = fresh(change)
    assert change.state == "new"
    assert ApprovalRound.objects.get(work_item=change).state == "rejected"

    change = submit(world.agent, change)
    assert list(ApprovalRound.objects.filter(work_item=change).values_list("number", "state")) == [
        (1, "rejected"),
        (2, "pending"),
    ]
    assert ChangeDetail.objects.get(pk=change.pk).approval_round == 2
    assert open_for(change, world.agent2).step.round.number == 2

    card = panel(change, ChangeDetail.objects.get(pk=change.pk), world.agent2)
    assert card is not None
    assert [(r.round.number, r.current) for r in card["rounds"]] == [(2, True), (1, False)]
    [mine] = card["mine"]
    assert mine.approval.step.round.number == 2
    rejected = [
        a.approval
        for s in card["rounds"][1].steps
        for a in s.approvals
        if a.approval.state == "rejected"
    ]
    assert [a.comment for a in rejected] == ["The window clashes with the payroll run."]


def test_reverting_to_new_cancels_what_was_open(world, estate):
    make_policy(world, step(users=[world.agent2.pk, world.manager.pk], mode="all"))
    change = submit(world.agent, make_change(world.agent))
    engine.decide(actor=world.agent2, approval=open_for(change, world.agent2), approve=True)
    from serval.changes import actions

    actions.transition_change(actor=world.agent, item=fresh(change), to="new")
    states = dict(Approval.objects.filter(work_item=change).values_list("approver_id", "state"))
    assert states == {world.agent2.pk: "approved", world.manager.pk: "cancelled"}
    assert ApprovalRound.objects.get(work_item=change).state == "cancelled"

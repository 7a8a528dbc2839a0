"""A normal change walks New → Assess → Authorize → Scheduled → Implement → Review → Closed
(DOMAIN.md §2.3): peers assess, the CAB and the owner of each impacted service authorize in
parallel, and the approvals move it on by themselves."""

from __future__ import annotations

from serval.approvals import engine
from serval.approvals.models import Approval, ApprovalRound, ApprovalState
from serval.changes import actions
from serval.changes.models import ChangeDetail, ChangeReview
from serval.core.models import JournalEvent
from serval.work.models import WorkItem
from tests.changes.conftest import make_change, make_policies


def _open(item, user):
    return Approval.objects.filter(engine.awaiting(user), work_item=item).get()


def _state(item) -> str:
    return WorkItem.objects.get(pk=item.pk).state


def test_the_whole_path_with_peer_cab_and_service_owner_approvals(world, estate):
    make_policies(world)
    change = make_change(
        world.agent, cis=(estate.db,), assignment_group=world.team.pk, assignee=world.agent.pk
    )
    assert change.number.startswith("CHG-")
    assert ChangeDetail.objects.get(pk=change.pk).risk == "moderate"  # Payroll is critical "high"

    actions.transition_change(actor=world.agent, item=change, to="assess")
    assert _state(change) == "assess"
    engine.decide(actor=world.agent2, approval=_open(change, world.agent2), approve=True)
    assert _state(change) == "authorize"

    # The CAB and the Payroll owner decide in parallel; the last approval schedules it.
    engine.decide(actor=world.manager, approval=_open(change, world.manager), approve=True)
    assert _state(change) == "authorize"
    engine.decide(actor=estate.owner, approval=_open(change, estate.owner), approve=True)
    assert _state(change) == "scheduled"
    assert ApprovalRound.objects.get(work_item=change).state == "approved"

    change = WorkItem.objects.get(pk=change.pk)
    actions.transition_change(actor=world.agent, item=change, to="implement")
    assert ChangeDetail.objects.get(pk=change.pk).actual_start is not None
    actions.transition_change(
        actor=world.agent,
        item=change,
        to="review",
        close_code="successful",
        close_notes="Patched; all checks green.",
    )
    actions.transition_change(actor=world.agent, item=change, to="closed")
    change = WorkItem.objects.get(pk=change.pk)
    assert (change.state, change.active, change.close_code) == ("closed", False, "successful")
    assert not ChangeReview.objects.filter(change_id=change.pk).exists()  # not mandatory here
    verbs = list(
        JournalEvent.objects.filter(subject_type="work_item", subject_id=change.pk).values_list(
            "verb", flat=True
        )
    )
    assert verbs.count("approval_requested") == 3
    assert verbs.count("approved") == 3


def test_a_rejection_returns_the_change_to_new_and_resubmission_starts_a_fresh_round(world, estate):
    make_policies(world)
    change = make_change(world.agent, cis=(estate.db,))
    actions.transition_change(actor=world.agent, item=change, to="assess")
    approval = _open(change, world.agent2)
    engine.decide(actor=world.agent2, approval=approval, approve=False, comment="Wrong window.")
    assert _state(change) == "new"
    assert Approval.objects.get(pk=approval.pk).state == ApprovalState.REJECTED

    change = WorkItem.objects.get(pk=change.pk)
    actions.transition_change(actor=world.agent, item=change, to="assess")
    rounds = list(ApprovalRound.objects.filter(work_item=change).values_list("number", "state"))
    assert rounds == [(1, "rejected"), (2, "pending")]
    assert _open(change, world.agent2).step.round.number == 2


def test_reverting_to_new_cancels_the_open_approvals(world, estate):
    make_policies(world)
    change = make_change(world.agent, cis=(estate.db,))
    actions.transition_change(actor=world.agent, item=change, to="assess")
    change = WorkItem.objects.get(pk=change.pk)
    actions.transition_change(actor=world.agent, item=change, to="new")
    assert not Approval.objects.filter(work_item=change, state=ApprovalState.REQUESTED).exists()
    assert ApprovalRound.objects.get(work_item=change).state == "cancelled"


def test_without_a_matching_policy_a_normal_change_is_scheduled_on_submission(world, estate):
    change = make_change(world.agent, cis=(estate.db,))
    actions.transition_change(actor=world.agent, item=change, to="assess")
    assert _state(change) == "scheduled"

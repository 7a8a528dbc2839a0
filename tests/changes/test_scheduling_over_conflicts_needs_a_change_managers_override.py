"""Entering Scheduled is authorizing: a change whose CI is already scheduled in an overlapping
change waits in Authorize, and only a change manager's override with a reason schedules it
(DOMAIN.md §2.3 conflict detection, rule 1)."""

from __future__ import annotations

import pytest

from serval.approvals import engine
from serval.approvals.models import Approval
from serval.changes import actions
from serval.changes.models import ChangeConflict, ChangeDetail
from serval.core.errors import TransitionNotAllowed, ValidationFailed
from serval.work.models import WorkItem
from tests.changes.conftest import make_change, make_policies
from tests.notifications.conftest import run_queue


def _approve_all(change, people):
    """Everyone approves whatever waits for them, until nothing does."""
    while True:
        pending = [
            (person, approval)
            for person in people
            for approval in Approval.objects.filter(engine.awaiting(person), work_item=change)
        ]
        if not pending:
            return
        person, approval = pending[0]
        engine.decide(actor=person, approval=approval, approve=True)


def test_an_overlapping_change_on_the_same_server_blocks_scheduling_until_overridden(world, estate):
    first = make_change(world.agent, cis=(estate.server,))
    actions.transition_change(actor=world.agent, item=first, to="assess")  # no policy yet
    assert WorkItem.objects.get(pk=first.pk).state == "scheduled"

    make_policies(world)
    second = make_change(world.agent2, cis=(estate.server,))
    conflict = ChangeConflict.objects.get(change=second)
    assert (conflict.rule, conflict.ci_id, conflict.other_change_id) == (
        "ci_scheduled",
        estate.server.pk,
        first.pk,
    )
    assert ChangeDetail.objects.get(pk=second.pk).conflict_status == "conflicts"
    run_queue()  # the other side hears of it
    assert ChangeConflict.objects.filter(change=first, other_change=second).exists()

    actions.transition_change(actor=world.agent2, item=second, to="assess")
    # agent2 raised it, so the peer step (team2 is only agent2) falls back to the manager.
    _approve_all(second, [world.manager, estate.owner])
    assert WorkItem.objects.get(pk=second.pk).state == "authorize"  # approved, but blocked

    second = WorkItem.objects.get(pk=second.pk)
    with pytest.raises(TransitionNotAllowed):  # "Schedule" is offered to change managers only
        actions.transition_change(actor=world.agent, item=second, to="scheduled")
    with pytest.raises(ValidationFailed) as exc:
        actions.transition_change(actor=world.manager, item=second, to="scheduled")
    assert "conflict_override_reason" in exc.value.as_dict()
    actions.transition_change(
        actor=world.manager,
        item=second,
        to="scheduled",
        conflict_override_reason="Same maintenance slot, coordinated with the other team.",
    )
    detail = ChangeDetail.objects.get(pk=second.pk)
    assert WorkItem.objects.get(pk=second.pk).state == "scheduled"
    assert detail.conflict_override_by == world.manager
    assert detail.conflict_override_keys == [ChangeConflict.objects.get(change=second).key]


def test_cancelling_the_other_change_clears_the_conflict_on_both_sides(world, estate):
    first = make_change(world.agent, cis=(estate.server,))
    actions.transition_change(actor=world.agent, item=first, to="assess")
    second = make_change(world.agent2, cis=(estate.server,))
    run_queue()
    actions.transition_change(
        actor=world.agent,
        item=WorkItem.objects.get(pk=first.pk),
        to="cancelled",
        cancel_reason="Superseded.",
    )
    run_queue()
    assert not ChangeConflict.objects.filter(change=second).exists()
    assert ChangeDetail.objects.get(pk=second.pk).conflict_status == "clear"
    assert not ChangeConflict.objects.filter(change=first).exists()


def test_the_assignee_booked_on_an_overlapping_change_is_a_conflict(world, estate):
    first = make_change(
        world.agent, assignment_group=world.team.pk, assignee=world.agent.pk, cis=(estate.db,)
    )
    actions.transition_change(actor=world.agent, item=first, to="assess")
    second = make_change(world.agent2, assignment_group=world.team.pk, assignee=world.agent.pk)
    rules = set(ChangeConflict.objects.filter(change=second).values_list("rule", flat=True))
    assert rules == {"assignee_busy"}


def test_a_parent_or_child_of_the_ci_in_an_overlapping_change_is_a_conflict(world, estate):
    first = make_change(world.agent, cis=(estate.server,))
    actions.transition_change(actor=world.agent, item=first, to="assess")
    second = make_change(world.agent2, cis=(estate.db,))  # db runs on the server
    conflict = ChangeConflict.objects.get(change=second)
    assert (conflict.rule, conflict.ci_id, conflict.related_ci_id) == (
        "related_scheduled",
        estate.db.pk,
        estate.server.pk,
    )

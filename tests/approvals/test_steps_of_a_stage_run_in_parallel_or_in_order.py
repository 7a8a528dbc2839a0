"""Steps of one stage with the same order are asked at once; a higher order waits until every
lower one is approved; the next stage starts when the change reaches it (DOMAIN.md §2.3: Assess
then Authorize; §2.4 approvals as a flow)."""

from __future__ import annotations

from serval.approvals import engine
from serval.approvals.models import ApprovalStep
from serval.core.models import JournalEvent
from tests.approvals.conftest import (
    fresh,
    make_change,
    make_policy,
    open_count,
    open_for,
    step,
    submit,
)


def _states(change) -> list[tuple[str, int, str]]:
    return list(
        ApprovalStep.objects.filter(round__work_item=change)
        .order_by("stage", "order", "pk")
        .values_list("stage", "order", "state")
    )


def test_same_order_runs_in_parallel(world, estate):
    make_policy(
        world,
        step(users=[world.agent2.pk], order=1, label="Network"),
        step(users=[world.manager.pk], order=1, label="Desk"),
    )
    change = submit(world.agent, make_change(world.agent))
    assert _states(change) == [("assess", 1, "pending"), ("assess", 1, "pending")]
    assert open_count(change, world.agent2) == open_count(change, world.manager) == 1
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    assert fresh(change).state == "assess"
    engine.decide(actor=world.agent2, approval=open_for(change, world.agent2), approve=True)
    assert fresh(change).state == "scheduled"


def test_a_higher_order_waits_for_the_lower_ones(world, estate):
    make_policy(
        world,
        step(users=[world.agent2.pk], order=1, label="Technical review"),
        step(users=[world.manager.pk], order=2, label="Manager sign-off"),
    )
    change = submit(world.agent, make_change(world.agent))
    assert _states(change) == [("assess", 1, "pending"), ("assess", 2, "waiting")]
    assert open_count(change, world.manager) == 0  # not asked yet
    engine.decide(actor=world.agent2, approval=open_for(change, world.agent2), approve=True)
    assert _states(change) == [("assess", 1, "approved"), ("assess", 2, "pending")]
    asked = JournalEvent.objects.filter(
        subject_type="work_item", subject_id=change.pk, verb="approval_requested"
    )
    assert [e.data["label"] for e in asked.order_by("seq")] == [
        "Technical review",
        "Manager sign-off",
    ]
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    assert fresh(change).state == "scheduled"


def test_the_authorize_stage_starts_when_assess_is_through(world, estate):
    make_policy(
        world,
        step(users=[world.agent2.pk], label="Peer review"),
        step(stage="authorize", users=[world.manager.pk], label="Change manager"),
    )
    change = submit(world.agent, make_change(world.agent))
    assert _states(change) == [("assess", 1, "pending")]
    engine.decide(actor=world.agent2, approval=open_for(change, world.agent2), approve=True)
    assert fresh(change).state == "authorize"
    assert _states(change) == [("assess", 1, "approved"), ("authorize", 1, "pending")]


def test_an_emergency_change_skips_assess(world, estate):
    make_policy(
        world,
        step(stage="authorize", users=[world.manager.pk], label="ECAB"),
        types=("emergency",),
    )
    change = make_change(world.agent, change_type="emergency")
    change = submit(world.agent, change, to="authorize")
    assert _states(change) == [("authorize", 1, "pending")]
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    assert fresh(change).state == "scheduled"

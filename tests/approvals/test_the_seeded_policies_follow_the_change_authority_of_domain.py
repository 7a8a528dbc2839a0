"""The seeded change authorities (DOMAIN.md §2.3 "Change authority", marked seed): low-risk
normal changes are assessed by the assignment group's manager; moderate and high risk ones are
also authorized by the CAB and the owners of impacted services, in parallel; very high risk adds
the requester's manager (the business owner); emergency changes go to the Emergency CAB, any
one member. The boards start empty, so the change managers decide meanwhile."""

from __future__ import annotations

from serval.approvals import engine
from serval.approvals.models import ApprovalStep, Board
from serval.approvals.seed import CAB, ECAB, seed_now
from serval.changes import actions
from serval.people import actions as people
from tests import factories as f
from tests.approvals.conftest import fresh, make_change, open_for, submit


def _steps(change) -> list[tuple[str, int, str, str]]:
    return sorted(
        ApprovalStep.objects.filter(round__work_item=change).values_list(
            "stage", "order", "approver_kind", "state"
        )
    )


def test_the_migration_seeded_the_root_tenant(seeded_policies):
    assert [p.name for p in seeded_policies] == [
        "Normal change · low risk",
        "Normal change · moderate or high risk",
        "Normal change · very high risk",
        "Emergency change",
    ]
    boards = {b.name: b for b in Board.objects.filter(tenant__parent=None)}
    assert boards[CAB].emergency is False and boards[ECAB].emergency is True
    assert not boards[CAB].members.exists()
    seed_now()  # idempotent
    assert Board.objects.filter(tenant__parent=None, name=CAB).count() == 1


def test_low_risk_is_assessed_by_the_group_manager(world, seeded_policies):
    change = make_change(world.agent, assignment_group=world.team.pk)
    assert change.change.risk == "low"
    change = submit(world.agent, change)
    assert _steps(change) == [("assess", 1, "group_manager", "pending")]
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    assert fresh(change).state == "scheduled"


def test_moderate_risk_goes_to_the_cab_and_the_service_owner(world, estate, seeded_policies):
    change = make_change(world.agent, cis=(estate.db,), assignment_group=world.team.pk)
    assert change.change.risk == "moderate"
    change = submit(world.agent, change)
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    assert fresh(change).state == "authorize"
    assert _steps(change) == [
        ("assess", 1, "group_manager", "approved"),
        ("authorize", 1, "board", "pending"),
        ("authorize", 1, "service_owners", "pending"),
    ]
    # The CAB has no members yet: the change managers (mona) decide for it.
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    engine.decide(actor=estate.owner, approval=open_for(change, estate.owner), approve=True)
    assert fresh(change).state == "scheduled"


def test_very_high_risk_adds_the_business_owner(world, estate, seeded_policies):
    boss = f.make_user("requester", world.tenant, "ceo")
    people.update_user(actor=world.admin, user=world.agent, manager=boss)
    change = make_change(world.agent, cis=(estate.db,), assignment_group=world.team.pk)
    from serval.changes import risk
    from serval.changes.models import RiskOption

    worst = {o.question_id: o.pk for o in RiskOption.objects.filter(score=4)}
    assert risk.answer(actor=world.agent, item=change, answers=worst).risk == "very_high"
    change = submit(world.agent, change)
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    kinds = [k for stage, _, k, _ in _steps(change) if stage == "authorize"]
    assert sorted(kinds) == ["board", "requester_manager", "service_owners"]
    assert open_for(change, boss).reason == f"manager of {world.agent.display_name}"


def test_an_emergency_change_goes_to_the_emergency_cab(world, seeded_policies):
    change = make_change(world.agent, change_type="emergency")
    actions.transition_change(actor=world.agent, item=change, to="authorize")
    assert _steps(change) == [("authorize", 1, "board", "pending")]
    step = ApprovalStep.objects.get(round__work_item=change)
    assert step.board.name == ECAB and step.mode == "any"
    engine.decide(actor=world.manager, approval=open_for(change, world.manager), approve=True)
    assert fresh(change).state == "scheduled"

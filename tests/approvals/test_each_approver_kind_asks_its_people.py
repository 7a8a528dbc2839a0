"""Each kind of approver of a policy step asks the right people, resolved when the step is
instantiated, with the reason shown beside each name (DOMAIN.md §2.3 change authority, §2.4:
named people, a team, the assignment group's manager, the requester's manager, the owner of
each impacted service, a board)."""

from __future__ import annotations

from serval.approvals.boards import create_board
from serval.approvals.models import Approval, ApprovalStep
from serval.people import actions as people
from tests import factories as f
from tests.approvals.conftest import make_change, make_policy, step, submit


def _asked(change) -> list[tuple[str, str]]:
    return sorted(
        Approval.objects.filter(work_item=change).values_list("approver__username", "reason")
    )


def test_named_people(world, estate):
    make_policy(world, step(users=[world.agent2.username, world.manager.pk]))
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [("bob", "named approver"), ("mona", "named approver")]


def test_a_team_asks_its_members(world, estate):
    make_policy(world, step(kind="team", team=world.team2.pk))
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [("bob", "member of Network")]


def test_the_assignment_groups_manager(world, estate):
    make_policy(world, step(kind="group_manager"))
    change = submit(world.agent2, make_change(world.agent2, assignment_group=world.team.pk))
    assert _asked(change) == [("mona", "manager of Service Desk")]


def test_the_requesters_manager(world, estate):
    boss = f.make_user("requester", world.tenant, "boss")
    people.update_user(actor=world.admin, user=world.agent, manager=boss)
    make_policy(world, step(stage="authorize", kind="requester_manager"))
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [("boss", f"manager of {world.agent.display_name}")]


def test_the_owner_of_each_impacted_service(world, estate):
    make_policy(world, step(stage="authorize", kind="service_owners"))
    change = submit(world.agent, make_change(world.agent, cis=(estate.db,)))
    [(username, reason)] = _asked(change)
    assert username == estate.owner.username
    assert reason == f"owner of {estate.payroll.name}"
    assert ApprovalStep.objects.get(round__work_item=change).mode == "all"


def test_a_board_asks_its_members(world, estate):
    cab = create_board(
        actor=world.admin,
        name="Infra CAB",
        members=[world.manager, world.agent2],
        chair=world.manager,
    )
    make_policy(world, step(stage="authorize", kind="board", board=cab.pk))
    change = submit(world.agent, make_change(world.agent))
    assert _asked(change) == [("bob", "member of Infra CAB"), ("mona", "member of Infra CAB")]
    assert ApprovalStep.objects.get(round__work_item=change).board == cab


def test_approvers_are_resolved_when_the_stage_starts(world, estate):
    """Who is in the team at submission is asked; joining later does not add an approval."""
    make_policy(world, step(kind="team", team=world.team2.pk))
    change = submit(world.agent, make_change(world.agent))
    people.update_team(actor=world.admin, team=world.team2, members=[world.agent2, world.manager])
    assert _asked(change) == [("bob", "member of Network")]
